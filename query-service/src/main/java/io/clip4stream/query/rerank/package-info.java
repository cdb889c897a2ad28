/** Second-stage re-ranking of gathered candidates with CLIP4Clip's tight (cross-attention) transformer head. */
package io.clip4stream.query.rerank;
