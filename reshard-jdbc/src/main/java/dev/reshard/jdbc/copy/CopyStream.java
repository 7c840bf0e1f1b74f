package dev.reshard.jdbc.copy;

import java.sql.SQLException;
import org.postgresql.copy.CopyOut;

/**
 * The data of a {@code COPY ... TO STDOUT} as one byte stream. The server's CopyData messages
 * (what {@link CopyOut#readFromCopy()} returns) need not line up with tuples or fields, so every
 * read here may span messages.
 */
final class CopyStream {
    private static final byte[] NO_DATA = new byte[0];

    private final CopyOut copyOut;
    private final String source;
    private final byte[] scratch = new byte[4];
    private byte[] message = NO_DATA;
    private int position;

    /**
     * @param source what is being read, for messages, e.g. {@code COPY out of accounts}
     */
    CopyStream(CopyOut copyOut, String source) {
        this.copyOut = copyOut;
        this.source = source;
    }

    short readInt16() throws SQLException {
        if (message.length - position >= 2) {
            short value = BigEndian.int16(message, position);
            position += 2;
            return value;
        }
        readFully(scratch, 0, 2);
        return BigEndian.int16(scratch, 0);
    }

    int readInt32() throws SQLException {
        if (message.length - position >= 4) {
            int value = BigEndian.int32(message, position);
            position += 4;
            return value;
        }
        readFully(scratch, 0, 4);
        return BigEndian.int32(scratch, 0);
    }

    /** Reads exactly {@code length} bytes into {@code into} at {@code offset}. */
    void readFully(byte[] into, int offset, int length) throws SQLException {
        int remaining = length;
        int at = offset;
        while (remaining > 0) {
            if (position == message.length) {
                nextMessage();
            }
            int n = Math.min(remaining, message.length - position);
            System.arraycopy(message, position, into, at, n);
            position += n;
            at += n;
            remaining -= n;
        }
    }

    /** Skips exactly {@code length} bytes. */
    void skip(int length) throws SQLException {
        int remaining = length;
        while (remaining > 0) {
            if (position == message.length) {
                nextMessage();
            }
            int n = Math.min(remaining, message.length - position);
            position += n;
            remaining -= n;
        }
    }

    /** Reads the end of the COPY, which must carry no more data; the COPY is then complete. */
    void requireEnd() throws SQLException {
        while (true) {
            if (position < message.length) {
                throw malformed(
                        (message.length - position) + " bytes follow the trailer, expected the end of the COPY");
            }
            byte[] next = copyOut.readFromCopy();
            if (next == null) {
                return;
            }
            message = next;
            position = 0;
        }
    }

    /** An error for data that is not in the binary COPY format (SQLSTATE 08P01, protocol violation). */
    SQLException malformed(String problem) {
        return new SQLException(source + " is not valid binary COPY data: " + problem, "08P01");
    }

    private void nextMessage() throws SQLException {
        byte[] next;
        do {
            next = copyOut.readFromCopy();
            if (next == null) {
                throw malformed("the COPY ended before its trailer");
            }
        } while (next.length == 0);
        message = next;
        position = 0;
    }
}
