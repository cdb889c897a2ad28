package io.clip4stream.alert.match;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * What one standing query remembers about one source: its open moment, if any, and where the last closed one ended
 * (for the cool-down).
 *
 * @param open the moment being extended
 * @param lastClosedEndMicros end of the last closed moment; {@link Long#MIN_VALUE} if none
 */
public record MomentState(Optional<Moment> open, long lastClosedEndMicros) {
    /** Nothing seen yet. */
    public static final MomentState NONE = new MomentState(Optional.empty(), Long.MIN_VALUE);

    /** The state as bytes for a state store. */
    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeLong(lastClosedEndMicros);
            out.writeBoolean(open.isPresent());
            if (open.isPresent()) {
                Moment m = open.get();
                out.writeUTF(m.alertId());
                out.writeLong(m.startMicros());
                out.writeLong(m.endMicros());
                out.writeUTF(m.bestClipId());
                out.writeDouble(m.bestScore());
                out.writeDouble(m.threshold());
                out.writeInt(m.clips());
                out.writeInt(m.revision());
                out.writeLong(m.clipIndexedAtMillis());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a moment state to memory", e);
        }
        return bytes.toByteArray();
    }

    /** A state read back from {@link #toBytes()}. */
    public static MomentState fromBytes(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            long lastClosed = in.readLong();
            if (!in.readBoolean()) {
                return new MomentState(Optional.empty(), lastClosed);
            }
            Moment moment = new Moment(
                    in.readUTF(),
                    in.readLong(),
                    in.readLong(),
                    in.readUTF(),
                    in.readDouble(),
                    in.readDouble(),
                    in.readInt(),
                    in.readInt(),
                    in.readLong());
            return new MomentState(Optional.of(moment), lastClosed);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a moment state (" + bytes.length + " bytes)", e);
        }
    }
}
