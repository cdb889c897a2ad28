/** CLIP4Clip's retrieval evaluation: recall at K and median/mean rank over a query-by-candidate similarity matrix. */
package io.clip4stream.model.metrics;
