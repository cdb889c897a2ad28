package io.clip4stream.index.lucene;

import io.clip4stream.index.store.ClipFilter;
import io.clip4stream.index.store.ClipKey;
import io.clip4stream.schemas.avro.ClipVector;
import io.clip4stream.schemas.frames.ClipFrames;
import io.clip4stream.schemas.frames.PackedFrames;
import io.clip4stream.schemas.serde.AvroSerde;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.AutomatonQuery;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.automaton.Automata;
import org.apache.lucene.util.automaton.Automaton;
import org.apache.lucene.util.automaton.Operations;

/** Maps clips to Lucene documents and back, and filters to Lucene queries; the only place that knows field names. */
public final class ClipDocuments {

    /** Unique term per stored clip: {@link ClipKey#asString()}. */
    static final String KEY = "key";

    /**
     * The key again as a binary doc value, so removal passes collect keys column-wise instead of loading a stored
     * document per clip; documents written before it existed have only the stored {@link #KEY}.
     */
    static final String KEY_VALUES = "key_values";

    /** Source id: a term for filters and deletes, a sorted doc value for rebuilding per-source spans. */
    static final String SOURCE = "source";

    static final String TENANT = "tenant";
    static final String TAG = "tag";
    static final String MODEL_VERSION = "model_version";

    /** Clip start time: a point for range filters. */
    static final String START = "start";

    /** Clip end time: a point for range filters and retention, a doc value for spans. */
    static final String END = "end";

    /**
     * The clip in Avro single-object encoding without its vector and frame embeddings (which are in
     * {@link #FLOAT_VALUES}), a binary doc value read back for hits. A stored field would make every hit decompress a
     * block of its neighbours' documents, which took a tenth of a k-NN query.
     */
    static final String CLIP_VALUES = "clip_values";

    /**
     * The clip in Avro single-object encoding as a stored field, as documents written before {@link #CLIP_VALUES}
     * existed hold it: without its floats when the document has {@link #FLOATS}, the whole clip otherwise.
     */
    static final String CLIP = "clip";

    /**
     * The clip's vector and frame embeddings as one little-endian blob, a binary doc value read in place from the mapped
     * file: the vector's length, the frame count and each frame's length (ints), then every float. Decoding Avro float
     * lists (one boxed value at a time) was most of the cost of loading a hit, and a hit carries a dozen frames.
     */
    static final String FLOAT_VALUES = "float_values";

    /**
     * The first int of a {@link #FLOAT_VALUES} blob whose frames are packed ({@link PackedFrames}, float16 or int8):
     * then the vector's length and the packed frames follow. The vector itself is read back from the document's
     * vector field ({@link #vectorField}), which keeps the raw floats anyway: storing them twice was 2 KB a clip at
     * width 512, a sixth of an int8 clip. A blob of float32 lists starts with the vector's length, never negative, so
     * both layouts live side by side.
     */
    static final int PACKED_LAYOUT = -1;

    /** The same blob as a stored field, as documents written before {@link #FLOAT_VALUES} existed hold it. */
    static final String FLOATS = "floats";

    private static final AvroSerde<ClipVector> SERDE = AvroSerde.of(ClipVector.class);

    private ClipDocuments() {}

    /** The vector field of {@code dimension}-dimensional vectors; model versions of different widths coexist. */
    static String vectorField(int dimension) {
        return "vector_" + dimension;
    }

    /** The document of {@code clip}. */
    static Document toDocument(ClipVector clip) {
        Document doc = new Document();
        doc.add(new StringField(KEY, ClipKey.of(clip).asString(), Field.Store.YES));
        doc.add(new BinaryDocValuesField(
                KEY_VALUES, new BytesRef(ClipKey.of(clip).toBytes())));
        String source = clip.getSourceId().toString();
        doc.add(new StringField(SOURCE, source, Field.Store.NO));
        doc.add(new SortedDocValuesField(SOURCE, new BytesRef(source)));
        doc.add(new StringField(TENANT, clip.getTenant().toString(), Field.Store.NO));
        for (CharSequence tag : clip.getTags()) {
            doc.add(new StringField(TAG, tag.toString(), Field.Store.NO));
        }
        doc.add(new StringField(MODEL_VERSION, clip.getModelVersion().toString(), Field.Store.NO));
        doc.add(new LongPoint(START, clip.getStartTimeMicros()));
        doc.add(new LongPoint(END, clip.getEndTimeMicros()));
        doc.add(new NumericDocValuesField(END, clip.getEndTimeMicros()));
        doc.add(new KnnFloatVectorField(
                vectorField(clip.getVector().size()), toArray(clip.getVector()), VectorSimilarityFunction.DOT_PRODUCT));
        doc.add(new BinaryDocValuesField(CLIP_VALUES, new BytesRef(encodeWithoutFloats(clip))));
        doc.add(new BinaryDocValuesField(FLOAT_VALUES, new BytesRef(encodeFloats(clip))));
        return doc;
    }

    /** The Avro record of {@link #CLIP_VALUES}: the clip without its vector and frame embeddings. */
    static byte[] encodeWithoutFloats(ClipVector clip) {
        return SERDE.encode(ClipVector.newBuilder(clip)
                .setVector(List.of())
                .setFrameEmbeddings(List.of())
                .setPackedFrameEmbeddings(ByteBuffer.allocate(0))
                .build());
    }

    /**
     * The blob of {@link #FLOAT_VALUES}: the clip's vector and frame embeddings, the frames in the compact form the clip
     * carries when packed.
     */
    static byte[] encodeFloats(ClipVector clip) {
        ByteBuffer packed = ClipFrames.packed(clip);
        if (packed != null) {
            ByteBuffer buffer =
                    ByteBuffer.allocate(2 * Integer.BYTES + packed.remaining()).order(ByteOrder.LITTLE_ENDIAN);
            buffer.putInt(PACKED_LAYOUT).putInt(clip.getVector().size());
            buffer.put(packed);
            return buffer.array();
        }
        List<List<Float>> frames = clip.getFrameEmbeddings();
        int floats = clip.getVector().size();
        for (List<Float> frame : frames) {
            floats += frame.size();
        }
        ByteBuffer buffer = ByteBuffer.allocate(Integer.BYTES * (2 + frames.size()) + Float.BYTES * floats)
                .order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(clip.getVector().size()).putInt(frames.size());
        frames.forEach(frame -> buffer.putInt(frame.size()));
        clip.getVector().forEach(buffer::putFloat);
        frames.forEach(frame -> frame.forEach(buffer::putFloat));
        return buffer.array();
    }

    /** The stored fields of the layouts before {@link #CLIP_VALUES}: {@link #CLIP} and {@link #FLOATS}. */
    private static final Set<String> STORED_CLIP = Set.of(CLIP, FLOATS);

    /**
     * The clips of the documents {@code docs} (ids of {@code reader}), in that order: from {@link #CLIP_VALUES} and
     * {@link #FLOAT_VALUES}, or from the stored fields of the layouts written before them.
     */
    static ClipVector[] load(IndexReader reader, int[] docs) throws IOException {
        return load(reader, docs, true);
    }

    /**
     * {@link #load(IndexReader, int[])}; without {@code withFloats} the clips come without their vector and frame
     * embeddings (the blob of {@link #FLOAT_VALUES} is not read), as a k-NN answer without frames needs them.
     */
    static ClipVector[] load(IndexReader reader, int[] docs, boolean withFloats) throws IOException {
        Integer[] byDoc = new Integer[docs.length];
        for (int i = 0; i < docs.length; i++) {
            byDoc[i] = i;
        }
        // Doc values are read forwards only, so visit the documents in id order.
        Arrays.sort(byDoc, Comparator.comparingInt(i -> docs[i]));
        List<LeafReaderContext> leaves = reader.leaves();
        StoredFields stored = reader.storedFields();
        ClipVector[] clips = new ClipVector[docs.length];
        int leafIndex = -1;
        BinaryDocValues clipValues = null;
        BinaryDocValues floatValues = null;
        LeafVectors vectors = null;
        for (int i : byDoc) {
            int doc = docs[i];
            int sub = ReaderUtil.subIndex(doc, leaves);
            LeafReaderContext leaf = leaves.get(sub);
            if (sub != leafIndex) {
                leafIndex = sub;
                clipValues = leaf.reader().getBinaryDocValues(CLIP_VALUES);
                floatValues = withFloats ? leaf.reader().getBinaryDocValues(FLOAT_VALUES) : null;
                vectors = new LeafVectors(leaf);
            }
            int leafDoc = doc - leaf.docBase;
            BytesRef avro = clipValues != null && clipValues.advanceExact(leafDoc) ? clipValues.binaryValue() : null;
            BytesRef floats =
                    floatValues != null && floatValues.advanceExact(leafDoc) ? floatValues.binaryValue() : null;
            if (avro == null) {
                Document document = stored.document(doc, STORED_CLIP);
                avro = document.getBinaryValue(CLIP);
                floats = floats != null || !withFloats ? floats : document.getBinaryValue(FLOATS);
            }
            if (avro == null) {
                throw new IllegalStateException("document " + doc + " holds no clip");
            }
            clips[i] = decode(avro, floats, vectors, leafDoc);
        }
        return clips;
    }

    /**
     * The vector fields of one segment, each read forwards only, as {@link #load} visits documents in id order; a
     * field's iterator is made on first use (most segments hold one width).
     */
    private static final class LeafVectors {
        private final LeafReaderContext leaf;
        private final Map<Integer, FloatVectorValues> values = new HashMap<>();
        private final Map<Integer, KnnVectorValues.DocIndexIterator> iterators = new HashMap<>();

        LeafVectors(LeafReaderContext leaf) {
            this.leaf = leaf;
        }

        /** The vector of width {@code dimension} of segment document {@code doc}, copied. */
        float[] vector(int dimension, int doc) throws IOException {
            FloatVectorValues field = values.get(dimension);
            if (field == null) {
                field = leaf.reader().getFloatVectorValues(vectorField(dimension));
                if (field == null) {
                    throw new IllegalStateException(
                            "segment document " + doc + " has packed frames but no field " + vectorField(dimension));
                }
                values.put(dimension, field);
                iterators.put(dimension, field.iterator());
            }
            KnnVectorValues.DocIndexIterator iterator = iterators.get(dimension);
            int at = iterator.docID() < doc ? iterator.advance(doc) : iterator.docID();
            if (at != doc) {
                throw new IllegalStateException(
                        "segment document " + doc + " has packed frames but no " + vectorField(dimension) + " value");
            }
            return field.vectorValue(iterator.index()).clone();
        }
    }

    /**
     * The clip of the Avro record {@code avro}, with the floats of the blob {@code floats} when not {@code null}, the
     * vector of a packed blob from {@code vectors} at segment document {@code leafDoc}.
     */
    private static ClipVector decode(BytesRef avro, BytesRef floats, LeafVectors vectors, int leafDoc)
            throws IOException {
        byte[] copy = new byte[avro.length];
        System.arraycopy(avro.bytes, avro.offset, copy, 0, avro.length);
        ClipVector clip = SERDE.decode(copy);
        if (floats == null) {
            // The first layout: the Avro record holds everything.
            return clip;
        }
        ByteBuffer buffer =
                ByteBuffer.wrap(floats.bytes, floats.offset, floats.length).order(ByteOrder.LITTLE_ENDIAN);
        int first = buffer.getInt();
        if (first == PACKED_LAYOUT) {
            float[] vector = vectors.vector(buffer.getInt(), leafDoc);
            // Doc values reuse their bytes on the next document, so the packed frames are copied out.
            byte[] packed = new byte[buffer.remaining()];
            buffer.get(packed);
            return ClipFrames.setPacked(ClipVector.newBuilder(clip).setVector(new FloatArrayView(vector)), packed)
                    .build();
        }
        float[] vector = new float[first];
        int[] frameLengths = new int[buffer.getInt()];
        for (int i = 0; i < frameLengths.length; i++) {
            frameLengths[i] = buffer.getInt();
        }
        FloatBuffer values = buffer.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        values.get(vector);
        List<List<Float>> frames = new ArrayList<>(frameLengths.length);
        for (int length : frameLengths) {
            float[] frame = new float[length];
            values.get(frame);
            frames.add(new FloatArrayView(frame));
        }
        return ClipVector.newBuilder(clip)
                .setVector(new FloatArrayView(vector))
                .setFrameEmbeddings(frames)
                .build();
    }

    /** The unique term of {@code key}. */
    static Term keyTerm(ClipKey key) {
        return new Term(KEY, key.asString());
    }

    /**
     * Every version of clip {@code clipId}: the key is the model version, a NUL and the clip id, so the clip id is a
     * suffix of the key; the automaton walks the key terms, which is cheap for an interactive lookup.
     */
    static Query clipIdQuery(String clipId) {
        Automaton suffix =
                Operations.concatenate(List.of(Automata.makeAnyString(), Automata.makeString("\u0000" + clipId)));
        return new AutomatonQuery(
                new Term(KEY, clipId), Operations.determinize(suffix, Operations.DEFAULT_DETERMINIZE_WORK_LIMIT));
    }

    /**
     * The Lucene filter of {@code filter}, with the semantics of {@link ClipFilter#accepts}, or {@code null} when it
     * keeps every document of {@code reader}: a filtered HNSW search first collects the filter's matches, which costs
     * time in proportion to the index, so the common query (only the model version, which every clip has) goes
     * unfiltered.
     */
    static Query filterQuery(ClipFilter filter, IndexReader reader) throws IOException {
        Term version = new Term(MODEL_VERSION, filter.modelVersion());
        boolean onlyVersion = filter.sourceIds().isEmpty()
                && filter.tenant().isEmpty()
                && filter.fromMicros().isEmpty()
                && filter.toMicros().isEmpty()
                && filter.tags().isEmpty();
        if (onlyVersion && reader.maxDoc() > 0 && reader.docFreq(version) == reader.maxDoc()) {
            return null;
        }
        BooleanQuery.Builder query = new BooleanQuery.Builder();
        query.add(new MatchAllDocsQuery(), Occur.FILTER);
        query.add(new TermQuery(version), Occur.FILTER);
        if (!filter.sourceIds().isEmpty()) {
            List<BytesRef> terms =
                    filter.sourceIds().stream().sorted().map(BytesRef::new).toList();
            query.add(new TermInSetQuery(SOURCE, terms), Occur.FILTER);
        }
        filter.tenant().ifPresent(tenant -> query.add(new TermQuery(new Term(TENANT, tenant)), Occur.FILTER));
        filter.fromMicros()
                .ifPresent(from -> query.add(LongPoint.newRangeQuery(END, from + 1, Long.MAX_VALUE), Occur.FILTER));
        filter.toMicros()
                .ifPresent(to -> query.add(LongPoint.newRangeQuery(START, Long.MIN_VALUE, to - 1), Occur.FILTER));
        for (String tag : filter.tags()) {
            query.add(new TermQuery(new Term(TAG, tag)), Occur.FILTER);
        }
        return query.build();
    }

    static float[] toArray(List<Float> values) {
        float[] array = new float[values.size()];
        for (int i = 0; i < array.length; i++) {
            array[i] = values.get(i);
        }
        return array;
    }
}
