package io.clip4stream.encoder;

import io.clip4stream.schemas.avro.EmbeddingStreamRecord;
import io.clip4stream.schemas.avro.EndOfSource;
import io.clip4stream.schemas.avro.FrameEmbedding;
import io.clip4stream.schemas.avro.SampledFrame;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * What one micro-batch of encoder inputs becomes, apart from Kafka and the model: {@link #prepare} gives the pixels to
 * embed (frames the static-scene gate reuses left out), {@link #outputs} the output records in input order once the
 * embeddings are back. {@link EncodeLoop} only moves records between Kafka and these two steps.
 *
 * @param inputs the batch's inputs, in order
 * @param pixels the preprocessed pixels of the frames to embed, one frame after another
 * @param framesToEmbed how many frames {@code pixels} holds
 * @param decisions one static-scene decision per frame of {@code inputs} when the gate is on, else null
 */
record BatchPlan(
        List<EncoderInput> inputs, float[] pixels, int framesToEmbed, List<StaticSceneGate.Decision> decisions) {

    /** One output record: to the frame-embeddings topic, or (an error) to the errors topic. */
    record Output(boolean error, byte[] key, SpecificRecord value) {}

    /** The outputs of a batch and what they were. */
    record Outputs(List<Output> records, int forwarded, int reused, List<String> rejectedTypes) {}

    /**
     * Plans {@code inputs}: their frames' pixels through {@code encoding}, then, when {@code gate} is on, its decision
     * per frame, keeping only the pixels of frames to embed. A source's end marker makes the gate forget the source
     * first, so a source id used again never reuses a frame of its earlier stream.
     */
    static BatchPlan prepare(List<EncoderInput> inputs, FrameEncoding encoding, StaticSceneGate gate) {
        List<SampledFrame> frames = new ArrayList<>();
        for (EncoderInput input : inputs) {
            if (input instanceof EncoderInput.Frame frame) {
                frames.add(frame.frame());
            }
        }
        float[] pixels = frames.isEmpty() ? new float[0] : encoding.tensor(frames);
        if (!gate.policy().enabled()) {
            return new BatchPlan(List.copyOf(inputs), pixels, frames.size(), null);
        }
        int frameFloats = encoding.frameFloats();
        List<StaticSceneGate.Decision> decisions = new ArrayList<>(frames.size());
        for (EncoderInput input : inputs) {
            switch (input) {
                case EncoderInput.Frame f ->
                    decisions.add(gate.decide(
                            f.frame().getSourceId().toString(), pixels, decisions.size() * frameFloats, frameFloats));
                case EncoderInput.PassOn p -> {
                    if (p.output().getPayload() instanceof EndOfSource end) {
                        gate.forget(end.getSourceId().toString());
                    }
                }
                case EncoderInput.Rejected r -> {}
            }
        }
        int encoded = (int) decisions.stream().filter(d -> !d.reused()).count();
        if (encoded == decisions.size()) {
            return new BatchPlan(List.copyOf(inputs), pixels, encoded, List.copyOf(decisions));
        }
        float[] kept = new float[encoded * frameFloats];
        int next = 0;
        for (int i = 0; i < decisions.size(); i++) {
            if (!decisions.get(i).reused()) {
                System.arraycopy(pixels, i * frameFloats, kept, next++ * frameFloats, frameFloats);
            }
        }
        return new BatchPlan(List.copyOf(inputs), kept, encoded, List.copyOf(decisions));
    }

    /**
     * The output records, one per input and in input order, given the embeddings of the {@link #framesToEmbed} frames
     * (in order): frames become frame embeddings (a reused one with its reference's vector, marked reused), passed-on
     * records go on unchanged, rejected ones become their error records.
     */
    Outputs outputs(float[][] vectors, FrameEncoding encoding) {
        if (vectors.length != framesToEmbed) {
            throw new IllegalArgumentException(
                    "the batch embedded " + framesToEmbed + " frames but " + vectors.length + " vectors came back");
        }
        if (decisions != null) {
            // The embedded frames' references first: reused frames of this batch (and of later ones) read them.
            int next = 0;
            for (StaticSceneGate.Decision decision : decisions) {
                if (!decision.reused()) {
                    decision.reference().complete(vectors[next++]);
                }
            }
        }
        List<Output> records = new ArrayList<>(inputs.size());
        List<String> rejectedTypes = new ArrayList<>();
        int forwarded = 0;
        int reused = 0;
        int frame = 0;
        for (EncoderInput input : inputs) {
            switch (input) {
                case EncoderInput.Frame f -> {
                    FrameEmbedding embedding;
                    if (decisions == null) {
                        embedding = encoding.embedding(f.frame(), vectors[frame++]);
                    } else {
                        StaticSceneGate.Decision decision = decisions.get(frame++);
                        embedding = encoding.embedding(
                                f.frame(), decision.reference().embedding(), decision.reused());
                        reused += decision.reused() ? 1 : 0;
                    }
                    records.add(new Output(false, f.key(), new EmbeddingStreamRecord(embedding)));
                }
                case EncoderInput.PassOn p -> {
                    records.add(new Output(false, p.key(), p.output()));
                    forwarded++;
                }
                case EncoderInput.Rejected r -> {
                    records.add(new Output(true, r.key(), r.error()));
                    rejectedTypes.add(r.error().getErrorType());
                }
            }
        }
        return new Outputs(List.copyOf(records), forwarded, reused, List.copyOf(rejectedTypes));
    }
}
