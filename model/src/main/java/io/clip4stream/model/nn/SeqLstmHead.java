package io.clip4stream.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;

/**
 * seqLSTM: a one-layer LSTM (PyTorch gate order i, f, g, o; zero initial state) over each clip's valid frames, zeros
 * after them, plus the original frame embeddings (residual), then {@link MaskedMeanPooling}.
 *
 * <p>The original packs each clip to its length; running every clip for the longest length and zeroing the outputs
 * past each clip's length gives the same numbers, because an LSTM output never depends on later steps.
 */
public final class SeqLstmHead implements LooseHead {

    private final NDArray weightIh;
    private final NDArray weightHh;
    private final NDArray biasIh;
    private final NDArray biasHh;

    /** Creates the head from {@code lstm_visual}'s four tensors ({@code [4H, D]}, {@code [4H, H]}, {@code [4H]} x2). */
    public SeqLstmHead(NDArray weightIh, NDArray weightHh, NDArray biasIh, NDArray biasHh) {
        this.weightIh = weightIh;
        this.weightHh = weightHh;
        this.biasIh = biasIh;
        this.biasHh = biasHh;
    }

    /** Binds {@code lstm_visual.{weight,bias}_{ih,hh}_l0}. */
    public static SeqLstmHead load(ParameterSource weights) {
        return new SeqLstmHead(
                weights.tensor("lstm_visual.weight_ih_l0"),
                weights.tensor("lstm_visual.weight_hh_l0"),
                weights.tensor("lstm_visual.bias_ih_l0"),
                weights.tensor("lstm_visual.bias_hh_l0"));
    }

    /**
     * Returns the LSTM output over each clip's valid prefix and zeros after it, {@code [clips, T, H]}; a clip's length
     * is its number of valid frames, as {@code pack_padded_sequence(lengths=sum(mask))} takes it.
     */
    public NDArray lstm(NDArray frames, NDArray validFrames) {
        Shape shape = frames.getShape();
        long clips = shape.get(0);
        long steps = shape.get(1);
        long hiddenSize = weightHh.getShape().get(1);
        NDArray inputGates = Linear.linear(frames, weightIh, biasIh).singletonOrThrow();
        NDArray hidden = frames.getManager().zeros(new Shape(clips, hiddenSize));
        NDArray cell = hidden;
        NDList outputs = new NDList();
        for (long t = 0; t < steps; t++) {
            // PyTorch's LSTM cell: gates = linear_hh(h) + linear_ih(x_t), chunked i, f, g, o.
            NDArray gates = Linear.linear(hidden, weightHh, biasHh)
                    .singletonOrThrow()
                    .add(inputGates.get(new NDIndex(":, {}, :", t)));
            NDList chunks = gates.split(4, 1);
            NDArray inputGate = Activation.sigmoid(chunks.get(0));
            NDArray forgetGate = Activation.sigmoid(chunks.get(1));
            NDArray cellGate = chunks.get(2).tanh();
            NDArray outputGate = Activation.sigmoid(chunks.get(3));
            cell = forgetGate.mul(cell).add(inputGate.mul(cellGate));
            hidden = outputGate.mul(cell.tanh());
            outputs.add(hidden);
        }
        NDArray all = NDArrays.stack(outputs, 1);
        NDArray length = validFrames.sum(new int[] {1}).expandDims(1);
        NDArray position = frames.getManager().arange(0f, (float) steps).expandDims(0);
        NDArray insidePrefix = position.lt(length).expandDims(2).broadcast(all.getShape());
        return NDArrays.where(insidePrefix, all, all.zerosLike());
    }

    @Override
    public NDArray aggregate(NDArray frames, NDArray validFrames) {
        return MaskedMeanPooling.pool(lstm(frames, validFrames).add(frames), validFrames);
    }
}
