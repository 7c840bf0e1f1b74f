package dev.reshard.jdbc.copy;

import java.sql.SQLException;
import java.util.Arrays;
import org.postgresql.copy.CopyIn;

/**
 * Tuples of a binary COPY stream on their way to another COPY, byte for byte as the source sent
 * them. {@link #next} reads one tuple into the space after the kept ones; {@link #keep} keeps it,
 * otherwise the next tuple overwrites it; {@link #sendKept} sends the kept ones on and frees their
 * space, so memory stays at about one message however long the stream. The fields of the tuple
 * read last stay readable until the next {@link #next}, so the cursor can be taken from the last
 * tuple of a page whether it was kept or not.
 *
 * <p>Binary COPY format (PostgreSQL docs, "COPY", "Binary Format"): an 11-byte signature, an int32
 * flags field and an int32 header-extension length followed by that many bytes; then per tuple an
 * int16 field count and per field an int32 length (-1: NULL) and that many bytes; then an int16 -1
 * trailer. All integers are big-endian.
 */
final class TupleBuffer {
    /** {@code PGCOPY\n\377\r\n\0}. */
    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};
    /** Flag bits 16-31 mark format changes a reader must not ignore (bit 16: tuples carry OIDs). */
    private static final int CRITICAL_FLAGS = 0xFFFF_0000;
    /** The signature, no flags, no header extension. */
    private static final byte[] HEADER = Arrays.copyOf(SIGNATURE, SIGNATURE.length + 8);

    private static final byte[] TRAILER = {(byte) 0xFF, (byte) 0xFF};
    private static final int NULL_LENGTH = -1;
    /** Largest CopyData message sent to the target; keeps the server from buffering a whole batch. */
    static final int MESSAGE_BYTES = 64 * 1024;
    /** Arrays cannot be much larger on common JVMs. */
    private static final int MAX_BYTES = Integer.MAX_VALUE - 16;

    private final int fieldCount;
    private final int[] fieldOffsets;
    private final int[] fieldLengths;
    private byte[] bytes = new byte[MESSAGE_BYTES];
    private int keptBytes;
    private int keptTuples;
    private int tupleEnd;
    private int tuplesRead;
    private boolean headerSent;

    TupleBuffer(int fieldCount) {
        this.fieldCount = fieldCount;
        this.fieldOffsets = new int[fieldCount];
        this.fieldLengths = new int[fieldCount];
    }

    /** Reads and checks the header of a binary COPY stream. */
    static void readHeader(CopyStream in) throws SQLException {
        byte[] signature = new byte[SIGNATURE.length];
        in.readFully(signature, 0, signature.length);
        if (!Arrays.equals(signature, SIGNATURE)) {
            throw in.malformed("the signature is " + Arrays.toString(signature) + ", expected PGCOPY\\n\\377\\r\\n\\0");
        }
        int flags = in.readInt32();
        if ((flags & CRITICAL_FLAGS) != 0) {
            throw in.malformed(
                    "the header has flags 0x" + Integer.toHexString(flags) + " that this reader does not know");
        }
        int extensionLength = in.readInt32();
        if (extensionLength < 0) {
            throw in.malformed("the header extension length is " + extensionLength);
        }
        in.skip(extensionLength);
    }

    /**
     * Reads the next tuple after the kept ones.
     *
     * @return false at the trailer
     */
    boolean next(CopyStream in) throws SQLException {
        short fields = in.readInt16();
        if (fields == -1) {
            return false;
        }
        tuplesRead++;
        if (fields != fieldCount) {
            throw in.malformed("tuple " + tuplesRead + " has " + fields + " fields, expected " + fieldCount);
        }
        int at = keptBytes;
        ensureCapacity(at, 2);
        BigEndian.putInt16(bytes, at, fields);
        at += 2;
        for (int field = 0; field < fieldCount; field++) {
            int length = in.readInt32();
            if (length < NULL_LENGTH) {
                throw in.malformed("tuple " + tuplesRead + " field " + (field + 1) + " has length " + length);
            }
            ensureCapacity(at, 4 + Math.max(length, 0));
            BigEndian.putInt32(bytes, at, length);
            at += 4;
            fieldOffsets[field] = at;
            fieldLengths[field] = length;
            if (length > 0) {
                in.readFully(bytes, at, length);
                at += length;
            }
        }
        tupleEnd = at;
        return true;
    }

    /** The field of the tuple read last, decoded; null for NULL. */
    Object field(int index, KeyDecoder decoder) {
        int length = fieldLengths[index];
        return length == NULL_LENGTH ? null : decoder.decode(bytes, fieldOffsets[index], length);
    }

    /** Keeps the tuple read last. */
    void keep() {
        keptBytes = tupleEnd;
        keptTuples++;
    }

    int tuplesRead() {
        return tuplesRead;
    }

    int keptTuples() {
        return keptTuples;
    }

    /** Bytes of kept tuples not yet sent. */
    int keptBytes() {
        return keptBytes;
    }

    /**
     * Streaming: sends the kept tuples to {@code out} (after the header, on the first call) and
     * forgets their bytes; the count of kept tuples and the fields of the tuple read last stay. End
     * the stream with {@link #sendTrailer}.
     */
    void sendKept(CopyIn out) throws SQLException {
        if (!headerSent) {
            out.writeToCopy(HEADER, 0, HEADER.length);
            headerSent = true;
        }
        for (int offset = 0; offset < keptBytes; offset += MESSAGE_BYTES) {
            out.writeToCopy(bytes, offset, Math.min(MESSAGE_BYTES, keptBytes - offset));
        }
        keptBytes = 0;
    }

    /** Streaming: sends what is still kept, then the trailer. */
    void sendTrailer(CopyIn out) throws SQLException {
        sendKept(out);
        out.writeToCopy(TRAILER, 0, TRAILER.length);
    }

    private void ensureCapacity(int at, int needed) {
        long required = (long) at + needed;
        if (required <= bytes.length) {
            return;
        }
        if (required > MAX_BYTES) {
            throw new IllegalStateException("row " + tuplesRead + " needs more than " + MAX_BYTES
                    + " bytes with the rows kept before it; rows this large cannot be copied in one array");
        }
        bytes = Arrays.copyOf(bytes, (int) Math.min(MAX_BYTES, Math.max(required, 2L * bytes.length)));
    }
}
