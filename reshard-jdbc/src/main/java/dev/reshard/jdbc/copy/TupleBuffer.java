package dev.reshard.jdbc.copy;

import java.sql.SQLException;
import java.util.Arrays;
import org.postgresql.copy.CopyIn;

/**
 * The kept tuples of one batch, byte for byte as the source sent them, and the tuple being read
 * after them. {@link #next} reads one tuple from a binary COPY stream into the space after the kept
 * ones; {@link #keep} keeps it, otherwise the next tuple overwrites it. The fields of the tuple read
 * last stay readable until the next {@link #next}, so the cursor can be taken from the last tuple
 * of a batch whether it was kept or not.
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
    private static final int MESSAGE_BYTES = 64 * 1024;
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

    /** Writes the kept tuples to {@code out} as a complete binary COPY stream: header, tuples, trailer. */
    void writeTo(CopyIn out) throws SQLException {
        out.writeToCopy(HEADER, 0, HEADER.length);
        for (int offset = 0; offset < keptBytes; offset += MESSAGE_BYTES) {
            out.writeToCopy(bytes, offset, Math.min(MESSAGE_BYTES, keptBytes - offset));
        }
        out.writeToCopy(TRAILER, 0, TRAILER.length);
    }

    private void ensureCapacity(int at, int needed) {
        long required = (long) at + needed;
        if (required <= bytes.length) {
            return;
        }
        if (required > MAX_BYTES) {
            throw new IllegalStateException("the rows of one batch need more than " + MAX_BYTES + " bytes ("
                    + keptTuples + " rows kept, " + tuplesRead + " read); use a smaller batch size");
        }
        bytes = Arrays.copyOf(bytes, (int) Math.min(MAX_BYTES, Math.max(required, 2L * bytes.length)));
    }
}
