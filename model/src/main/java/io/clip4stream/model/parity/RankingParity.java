package io.clip4stream.model.parity;

/**
 * Whether a head ranks every text's candidates in the original's order.
 *
 * @param fixture the fixture name
 * @param head the similarity head
 * @param identical whether the descending argsort of every similarity row equals the original's
 */
public record RankingParity(String fixture, String head, boolean identical) {}
