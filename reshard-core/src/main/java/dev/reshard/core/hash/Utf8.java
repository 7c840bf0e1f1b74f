package dev.reshard.core.hash;

/** UTF-8 encoding into a caller's buffer, matching {@code String.getBytes(UTF_8)} byte for byte. */
final class Utf8 {
    private Utf8() {}

    /**
     * Encodes {@code s} into {@code out}, which must hold {@code 3 * s.length()} bytes, and returns
     * the number of bytes written. An unpaired surrogate becomes {@code '?'}, as in the JDK.
     */
    static int encode(String s, byte[] out) {
        int n = 0;
        int length = s.length();
        int i = 0;
        // ASCII fast path: most keys (ids, UUID strings, e-mail addresses) never leave it.
        while (i < length) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                break;
            }
            out[n++] = (byte) c;
            i++;
        }
        for (; i < length; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                out[n++] = (byte) c;
            } else if (c < 0x800) {
                out[n++] = (byte) (0xC0 | (c >> 6));
                out[n++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(s.charAt(i + 1))) {
                    int cp = Character.toCodePoint(c, s.charAt(++i));
                    out[n++] = (byte) (0xF0 | (cp >> 18));
                    out[n++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                    out[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                    out[n++] = (byte) (0x80 | (cp & 0x3F));
                } else {
                    out[n++] = (byte) '?';
                }
            } else {
                out[n++] = (byte) (0xE0 | (c >> 12));
                out[n++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                out[n++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        return n;
    }
}
