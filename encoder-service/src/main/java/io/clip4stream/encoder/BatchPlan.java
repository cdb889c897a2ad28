package io.clip4stream.encoder;

import io.clip4stream.schemas.avro.EmbeddingStreamRecord;
import io.clip4stream.schemas.avro.EndOfSource;
import io.clip4stream.schemas.avro.FrameEmbedding;
import io.clip4stream.schemas.avro.SampledFrame;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;

/**
 * What one micro-batch of encoder inputs becomes, apart from Kafka: {@link #prepare} gives the pixels to embed per
 * model (frames the static-scene gate reuses left out), {@link #embed} runs each model on its frames and puts the
 * vectors back in input order, {@link #outputs} gives the output records in input order. {@link EncodeLoop} only moves
 * records between Kafka and these steps.
 *
 * <p>A batch may hold frames for several models: live frames for the active one, frames that ingest decoded again from
 * kept media ({@code reencodeFor = V}) for V's. Re-encode frames never pass through the static-scene gate: its state is
 * per source, and a source's own stream must never share a reference with a re-encoding of its kept media.
 *
 * @param inputs the batch's inputs, in order
 * @param groups the frames to embed, one group per model in order of first appearance
 * @param framesToEmbed how many frames the groups hold together
 * @param frames what each frame of {@code inputs} becomes, in order
 */
record BatchPlan(List<EncoderInput> inputs, List<Group> groups, int framesToEmbed, List<FramePlan> frames) {

    /**
     * The frames one model embeds.
     *
     * @param model the model
     * @param pixels their preprocessed pixels, one frame after another
     * @param slots for each of them, its place in the batch's embedding order (input order of embedded frames)
     */
    record Group(EncoderModel model, float[] pixels, int[] slots) {}

    /**
     * What one frame becomes.
     *
     * @param slot its place in the embedding order; -1 when the gate reuses another frame's vector
     * @param decision the static-scene gate's decision; null when the gate does not see the frame
     */
    record FramePlan(int slot, StaticSceneGate.Decision decision) {}

    /** One output record: to the frame-embeddings topic, or (an error) to the errors topic. */
    record Output(boolean error, byte[] key, SpecificRecord value) {}

    /**
     * The outputs of a batch and what they were.
     *
     * @param records one per input, in input order
     * @param forwarded boundaries and end markers passed on
     * @param reused frames given a reference's vector by the gate
     * @param rejectedTypes the error types of rejected inputs
     * @param reencoded frames re-encoded from kept media, by the model version they were encoded for
     */
    record Outputs(
            List<Output> records,
            int forwarded,
            int reused,
            List<String> rejectedTypes,
            Map<String, Integer> reencoded) {

        /** Copies the collections. */
        Outputs {
            records = List.copyOf(records);
            rejectedTypes = List.copyOf(rejectedTypes);
            reencoded = Map.copyOf(reencoded);
        }
    }

    /** Copies the lists. */
    BatchPlan {
        inputs = List.copyOf(inputs);
        groups = List.copyOf(groups);
        frames = List.copyOf(frames);
    }

    /**
     * Plans {@code inputs}: each frame's pixels through its model's encoding, then, for live frames when {@code gate}
     * is on, its decision, keeping only the pixels of frames to embed. A source's own end marker makes the gate forget
     * the source first, so a source id used again never reuses a frame of its earlier stream.
     */
    static BatchPlan prepare(List<EncoderInput> inputs, StaticSceneGate gate) {
        // Every model's frames normalised together, in input order.
        Map<EncoderModel, List<SampledFrame>> framesByModel = new LinkedHashMap<>();
        List<Integer> positionInModel = new ArrayList<>();
        for (EncoderInput input : inputs) {
            if (input instanceof EncoderInput.Frame frame) {
                List<SampledFrame> ofModel = framesByModel.computeIfAbsent(frame.model(), m -> new ArrayList<>());
                positionInModel.add(ofModel.size());
                ofModel.add(frame.frame());
            }
        }
        Map<EncoderModel, float[]> tensors = new LinkedHashMap<>();
        framesByModel.forEach(
                (model, frames) -> tensors.put(model, model.encoding().tensor(frames)));

        List<FramePlan> plans = new ArrayList<>(positionInModel.size());
        // Per model, the frames it embeds: their places in its tensor and in the batch's embedding order.
        Map<EncoderModel, List<Integer>> keptPositions = new LinkedHashMap<>();
        Map<EncoderModel, List<Integer>> keptSlots = new LinkedHashMap<>();
        int slot = 0;
        for (EncoderInput input : inputs) {
            switch (input) {
                case EncoderInput.Frame f -> {
                    EncoderModel model = f.model();
                    int position = positionInModel.get(plans.size());
                    StaticSceneGate.Decision decision = null;
                    if (gate.policy().enabled() && !f.reencode()) {
                        int floats = model.encoding().frameFloats();
                        decision = gate.decide(
                                f.frame().getSourceId().toString(),
                                model.version(),
                                tensors.get(model),
                                position * floats,
                                floats);
                    }
                    if (decision != null && decision.reused()) {
                        plans.add(new FramePlan(-1, decision));
                    } else {
                        keptPositions
                                .computeIfAbsent(model, m -> new ArrayList<>())
                                .add(position);
                        keptSlots.computeIfAbsent(model, m -> new ArrayList<>()).add(slot);
                        plans.add(new FramePlan(slot++, decision));
                    }
                }
                case EncoderInput.PassOn p -> {
                    // Only a source's own end marker ends the stream the gate follows; a re-encoding's does not.
                    if (p.output().getPayload() instanceof EndOfSource end && end.getReencodeFor() == null) {
                        gate.forget(end.getSourceId().toString());
                    }
                }
                case EncoderInput.Rejected r -> {}
            }
        }
        List<Group> groups = new ArrayList<>();
        keptPositions.forEach((model, positions) -> {
            float[] all = tensors.get(model);
            float[] pixels = all;
            if (positions.size() != framesByModel.get(model).size()) {
                int floats = model.encoding().frameFloats();
                pixels = new float[positions.size() * floats];
                for (int i = 0; i < positions.size(); i++) {
                    System.arraycopy(all, positions.get(i) * floats, pixels, i * floats, floats);
                }
            }
            int[] slots =
                    keptSlots.get(model).stream().mapToInt(Integer::intValue).toArray();
            groups.add(new Group(model, pixels, slots));
        });
        return new BatchPlan(inputs, groups, slot, plans);
    }

    /**
     * Runs each group's model on its frames (on the caller's thread) and returns the {@link #framesToEmbed} vectors in
     * embedding order.
     */
    float[][] embed() {
        float[][] vectors = new float[framesToEmbed][];
        for (Group group : groups) {
            int n = group.slots().length;
            float[][] out = group.model().embedder().embedFrames(group.pixels(), n);
            if (out.length != n) {
                throw new IllegalStateException("model " + group.model().version() + " embedded " + out.length
                        + " vectors for " + n + " frames");
            }
            for (int i = 0; i < n; i++) {
                vectors[group.slots()[i]] = out[i];
            }
        }
        return vectors;
    }

    /** The model versions this batch embeds with, for messages. */
    List<String> versions() {
        return groups.stream().map(g -> g.model().version()).toList();
    }

    /**
     * The output records, one per input and in input order, given the {@link #framesToEmbed} vectors in embedding
     * order: frames become frame embeddings stamped with the model that encoded them and their {@code reencodeFor} (a
     * reused one with its reference's vector, marked reused), passed-on records go on unchanged, rejected ones become
     * their error records.
     */
    Outputs outputs(float[][] vectors) {
        if (vectors.length != framesToEmbed) {
            throw new IllegalArgumentException(
                    "the batch embedded " + framesToEmbed + " frames but " + vectors.length + " vectors came back");
        }
        // The embedded frames' references first: reused frames of this batch (and of later ones) read them.
        for (FramePlan plan : frames) {
            if (plan.decision() != null && !plan.decision().reused()) {
                plan.decision().reference().complete(vectors[plan.slot()]);
            }
        }
        List<Output> records = new ArrayList<>(inputs.size());
        List<String> rejectedTypes = new ArrayList<>();
        Map<String, Integer> reencoded = new TreeMap<>();
        int forwarded = 0;
        int reused = 0;
        int frame = 0;
        for (EncoderInput input : inputs) {
            switch (input) {
                case EncoderInput.Frame f -> {
                    FramePlan plan = frames.get(frame++);
                    boolean isReused =
                            plan.decision() != null && plan.decision().reused();
                    float[] vector = plan.decision() != null
                            ? plan.decision().reference().embedding()
                            : vectors[plan.slot()];
                    FrameEmbedding embedding = f.model().encoding().embedding(f.frame(), vector, isReused);
                    reused += isReused ? 1 : 0;
                    if (f.reencode()) {
                        reencoded.merge(f.model().version(), 1, Integer::sum);
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
        return new Outputs(records, forwarded, reused, rejectedTypes, reencoded);
    }
}
