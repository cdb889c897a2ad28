package io.clip4stream.index.lucene;

import io.clip4stream.index.store.ClipFilter;
import io.clip4stream.index.store.ClipKey;
import io.clip4stream.schemas.avro.ClipVector;
import io.clip4stream.schemas.serde.AvroSerde;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.BytesRef;

/** Maps clips to Lucene documents and back, and filters to Lucene queries; the only place that knows field names. */
public final class ClipDocuments {

    /** Unique term per stored clip: {@link ClipKey#asString()}. */
    static final String KEY = "key";

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
     * The clip in Avro single-object encoding, read back for hits: without its vector and frame embeddings, which are in
     * {@link #FLOAT_VALUES} (or {@link #FLOATS}), unless the document was written before those fields existed.
     */
    static final String CLIP = "clip";

    /**
     * The clip's vector and frame embeddings as one little-endian blob, a binary doc value: the vector's length, the
     * frame count and each frame's length (ints), then every float. Decoding Avro float lists (one boxed value at a
     * time) was most of the cost of loading a hit, and a hit carries a dozen frames; as a stored field the blob also
     * made every hit decompress a block of its neighbours' blobs, while a doc value is read in place from the mapped
     * file.
     */
    static final String FLOAT_VALUES = "float_values";

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
        ClipVector withoutFloats = ClipVector.newBuilder(clip)
                .setVector(List.of())
                .setFrameEmbeddings(List.of())
                .build();
        doc.add(new StoredField(CLIP, SERDE.encode(withoutFloats)));
        doc.add(new BinaryDocValuesField(FLOAT_VALUES, new BytesRef(encodeFloats(clip))));
        return doc;
    }

    /** The blob of {@link #FLOAT_VALUES}: the clip's vector and frame embeddings. */
    static byte[] encodeFloats(ClipVector clip) {
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

    /** The stored fields a hit loads: {@link #CLIP}, and {@link #FLOATS} for documents of the earlier layout. */
    static final Set<String> STORED_CLIP = Set.of(CLIP, FLOATS);

    /**
     * The clips of the documents {@code docs} (ids of {@code reader}), in that order: the stored {@link #CLIP} plus the
     * floats from {@link #FLOAT_VALUES}, or from the layouts written before it.
     */
    static ClipVector[] load(IndexReader reader, int[] docs) throws IOException {
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
        BinaryDocValues values = null;
        for (int i : byDoc) {
            int doc = docs[i];
            int sub = ReaderUtil.subIndex(doc, leaves);
            LeafReaderContext leaf = leaves.get(sub);
            if (sub != leafIndex) {
                leafIndex = sub;
                values = leaf.reader().getBinaryDocValues(FLOAT_VALUES);
            }
            BytesRef floats = values != null && values.advanceExact(doc - leaf.docBase) ? values.binaryValue() : null;
            clips[i] = fromStored(stored.document(doc, STORED_CLIP), floats);
        }
        return clips;
    }

    /**
     * The clip stored in a document's {@link #CLIP} field (read with {@link #STORED_CLIP}), with the floats of
     * {@code floatValues} (its {@link #FLOAT_VALUES}), or of its stored {@link #FLOATS} when that is {@code null}.
     */
    static ClipVector fromStored(Document stored, BytesRef floatValues) {
        BytesRef avro = stored.getBinaryValue(CLIP);
        byte[] copy = new byte[avro.length];
        System.arraycopy(avro.bytes, avro.offset, copy, 0, avro.length);
        ClipVector clip = SERDE.decode(copy);
        BytesRef floats = floatValues != null ? floatValues : stored.getBinaryValue(FLOATS);
        if (floats == null) {
            // Written before FLOATS existed: the Avro record holds everything.
            return clip;
        }
        ByteBuffer buffer =
                ByteBuffer.wrap(floats.bytes, floats.offset, floats.length).order(ByteOrder.LITTLE_ENDIAN);
        float[] vector = new float[buffer.getInt()];
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

    /** Every clip of {@code sourceId}. */
    static Query sourceQuery(String sourceId) {
        return new TermQuery(new Term(SOURCE, sourceId));
    }

    /** The clips of {@code sourceId} ending before {@code endBeforeMicros}. */
    static Query expiredQuery(String sourceId, long endBeforeMicros) {
        return new BooleanQuery.Builder()
                .add(sourceQuery(sourceId), Occur.FILTER)
                .add(LongPoint.newRangeQuery(END, Long.MIN_VALUE, endBeforeMicros - 1), Occur.FILTER)
                .build();
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
