/** The alert service's HTTP API: standing queries (create, list, show with calibration, delete) and recent alerts. */
package io.clip4stream.alert.http;
