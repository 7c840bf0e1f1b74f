package dev.reshard.jdbc.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import org.junit.jupiter.api.Test;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyOut;
import org.postgresql.util.ByteStreamWriter;

/**
 * The binary COPY reader on hand-made streams: split into one-byte messages (fields and integers
 * spanning CopyData messages), and malformed.
 */
class TupleBufferTest {
    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};

    @Test
    void next_readsFieldsSpanningMessages_andSendsOnlyKeptTuplesUnchanged() throws SQLException {
        byte[] kept = tuple(int8(-5), "ä ☃".getBytes(StandardCharsets.UTF_8), null);
        byte[] dropped = tuple(int8(7), new byte[0], new byte[] {1, 2, 3});
        byte[] stream = concat(header(0, 3), kept, dropped, new byte[] {-1, -1});
        CopyStream in = new CopyStream(new OneByteMessages(stream), "test stream");
        TupleBuffer tuples = new TupleBuffer(3);

        TupleBuffer.readHeader(in);
        assertThat(tuples.next(in)).isTrue();
        assertThat(tuples.field(0, KeyDecoder.INT8)).isEqualTo(-5L);
        assertThat(tuples.field(1, KeyDecoder.TEXT)).isEqualTo("ä ☃");
        assertThat(tuples.field(2, KeyDecoder.TEXT)).isNull();
        tuples.keep();
        CollectedCopyIn out = new CollectedCopyIn();
        tuples.sendKept(out);
        assertThat(tuples.keptBytes()).isZero();
        assertThat(tuples.next(in)).isTrue();
        assertThat(tuples.field(1, KeyDecoder.TEXT)).isEqualTo("");
        assertThat(tuples.next(in)).isFalse();
        in.requireEnd();

        assertThat(tuples.field(0, KeyDecoder.INT8))
                .as("the last tuple read stays readable")
                .isEqualTo(7L);
        assertThat(tuples.tuplesRead()).isEqualTo(2);
        assertThat(tuples.keptTuples()).isEqualTo(1);
        tuples.sendTrailer(out);
        assertThat(out.bytes.toByteArray()).isEqualTo(concat(header(0, 0), kept, new byte[] {-1, -1}));
    }

    @Test
    void readHeader_refusesAnotherSignatureAndCriticalFlags() {
        byte[] notCopy = header(0, 0);
        notCopy[0] = 'X';

        assertThatThrownBy(() -> TupleBuffer.readHeader(new CopyStream(new OneByteMessages(notCopy), "test stream")))
                .isInstanceOf(SQLException.class)
                .hasMessageStartingWith("test stream is not valid binary COPY data: the signature is [88, 71,")
                .extracting(e -> ((SQLException) e).getSQLState())
                .isEqualTo("08P01");
        assertThatThrownBy(() ->
                        TupleBuffer.readHeader(new CopyStream(new OneByteMessages(header(1 << 16, 0)), "test stream")))
                .hasMessage("test stream is not valid binary COPY data: the header has flags 0x10000 that this reader"
                        + " does not know");
    }

    @Test
    void next_refusesAWrongFieldCount_aStreamWithoutTrailer_andDataAfterIt() throws SQLException {
        byte[] tuple = tuple(int8(1), int8(2));

        CopyStream wrongCount = new CopyStream(new OneByteMessages(concat(header(0, 0), tuple)), "test stream");
        TupleBuffer.readHeader(wrongCount);
        assertThatThrownBy(() -> new TupleBuffer(3).next(wrongCount))
                .hasMessage("test stream is not valid binary COPY data: tuple 1 has 2 fields, expected 3");

        CopyStream cutOff = new CopyStream(
                new OneByteMessages(concat(header(0, 0), Arrays.copyOf(tuple, tuple.length - 1))), "test stream");
        TupleBuffer.readHeader(cutOff);
        assertThatThrownBy(() -> new TupleBuffer(2).next(cutOff))
                .hasMessage("test stream is not valid binary COPY data: the COPY ended before its trailer");

        CopyStream trailing =
                new CopyStream(new OneByteMessages(concat(header(0, 0), new byte[] {-1, -1, 0})), "test stream");
        TupleBuffer.readHeader(trailing);
        assertThat(new TupleBuffer(2).next(trailing)).isFalse();
        assertThatThrownBy(trailing::requireEnd)
                .hasMessage("test stream is not valid binary COPY data: 1 bytes follow the trailer, expected the end"
                        + " of the COPY");
    }

    private static byte[] header(int flags, int extensionLength) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(SIGNATURE);
            out.writeInt(flags);
            out.writeInt(extensionLength);
            out.write(new byte[extensionLength]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** One tuple; a null field is written as NULL. */
    private static byte[] tuple(byte[]... fields) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeShort(fields.length);
            for (byte[] field : fields) {
                out.writeInt(field == null ? -1 : field.length);
                if (field != null) {
                    out.write(field);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static byte[] int8(long value) {
        byte[] bytes = new byte[8];
        for (int i = 7; i >= 0; i--) {
            bytes[i] = (byte) value;
            value >>= 8;
        }
        return bytes;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            bytes.writeBytes(part);
        }
        return bytes.toByteArray();
    }

    /** A COPY OUT that delivers its data one byte per message, with an empty message between. */
    private static final class OneByteMessages implements CopyOut {
        private final Deque<byte[]> messages = new ArrayDeque<>();

        OneByteMessages(byte[] data) {
            for (byte b : data) {
                messages.add(new byte[] {b});
                messages.add(new byte[0]);
            }
        }

        @Override
        public byte[] readFromCopy() {
            return messages.poll();
        }

        @Override
        public byte[] readFromCopy(boolean block) {
            return readFromCopy();
        }

        @Override
        public int getFieldCount() {
            return 0;
        }

        @Override
        public int getFormat() {
            return 1;
        }

        @Override
        public int getFieldFormat(int field) {
            return 1;
        }

        @Override
        public boolean isActive() {
            return !messages.isEmpty();
        }

        @Override
        public void cancelCopy() {
            messages.clear();
        }

        @Override
        public long getHandledRowCount() {
            return 0;
        }
    }

    /** A COPY IN that collects what is written to it. */
    private static final class CollectedCopyIn implements CopyIn {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public void writeToCopy(byte[] buf, int off, int siz) {
            bytes.write(buf, off, siz);
        }

        @Override
        public void writeToCopy(ByteStreamWriter from) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void flushCopy() {}

        @Override
        public long endCopy() {
            return 0;
        }

        @Override
        public int getFieldCount() {
            return 0;
        }

        @Override
        public int getFormat() {
            return 1;
        }

        @Override
        public int getFieldFormat(int field) {
            return 1;
        }

        @Override
        public boolean isActive() {
            return true;
        }

        @Override
        public void cancelCopy() {}

        @Override
        public long getHandledRowCount() {
            return 0;
        }
    }
}
