/**
 * Webhook delivery of alerts: signed POSTs (HMAC-SHA256 with the watch's secret), retries with backoff, dead-letter
 * records, and the address check that keeps webhooks off loopback and private networks unless allowed.
 */
package io.clip4stream.alert.webhook;
