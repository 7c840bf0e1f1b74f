package dev.reshard.jdbc.capture;

/** What happened to a row, as the changelog's one-letter {@code op} column stores it. */
public enum ChangeOp {
    INSERT('I'),
    UPDATE('U'),
    DELETE('D');

    private final char code;

    ChangeOp(char code) {
        this.code = code;
    }

    /** The letter stored in {@code reshard_changelog.op}. */
    public char code() {
        return code;
    }

    /** The op for a stored letter. */
    public static ChangeOp of(String code) {
        if (code != null && code.length() == 1) {
            for (ChangeOp op : values()) {
                if (op.code == code.charAt(0)) {
                    return op;
                }
            }
        }
        throw new IllegalArgumentException("changelog op \"" + code + "\" is not one of I, U, D");
    }
}
