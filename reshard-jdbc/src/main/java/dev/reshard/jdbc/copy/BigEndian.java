package dev.reshard.jdbc.copy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Network byte order reads and writes on byte arrays: every integer in the binary COPY format. */
final class BigEndian {
    private static final VarHandle INT16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private BigEndian() {}

    static short int16(byte[] bytes, int offset) {
        return (short) INT16.get(bytes, offset);
    }

    /** The 16 bits at {@code offset} as an unsigned value (0 to 65535). */
    static int uint16(byte[] bytes, int offset) {
        return Short.toUnsignedInt(int16(bytes, offset));
    }

    static int int32(byte[] bytes, int offset) {
        return (int) INT32.get(bytes, offset);
    }

    static long int64(byte[] bytes, int offset) {
        return (long) INT64.get(bytes, offset);
    }

    static void putInt16(byte[] bytes, int offset, short value) {
        INT16.set(bytes, offset, value);
    }

    static void putInt32(byte[] bytes, int offset, int value) {
        INT32.set(bytes, offset, value);
    }
}
