package io.clip4stream.model.spec;

/**
 * The seqLSTM temporal module: a one-layer unidirectional LSTM ({@code lstm_visual}).
 *
 * @param inputSize input features (the joint embedding dimension)
 * @param hiddenSize hidden features (equal to the input for the residual)
 */
public record SeqLstmSpec(int inputSize, int hiddenSize) {}
