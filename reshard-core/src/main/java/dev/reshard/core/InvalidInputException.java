package dev.reshard.core;

import java.util.Objects;

/**
 * Bad configuration, plan or command, refused before anything is written. The message has the form
 * {@code field: value problem; fix}, for example {@code shards[2]: "shard_1" is listed twice; give
 * each shard a distinct id}.
 */
public final class InvalidInputException extends ReshardException {
    private static final long serialVersionUID = 1L;

    private final String field;
    private final String value;
    private final String problem;
    private final String fix;

    private InvalidInputException(String field, String value, String problem, String fix) {
        super(field + ": " + value + " " + problem + "; " + fix);
        this.field = field;
        this.value = value;
        this.problem = problem;
        this.fix = fix;
    }

    /**
     * @param field where the bad value sits, e.g. {@code shards[2].weight}
     * @param value the value as the operator wrote it (quoted when it is text)
     * @param problem what is wrong with it, e.g. {@code must be greater than 0}
     * @param fix what to do instead, e.g. {@code use a positive weight such as 1 or 2.5}
     */
    public static InvalidInputException of(String field, Object value, String problem, String fix) {
        Objects.requireNonNull(field, "field");
        String shown = value instanceof CharSequence ? "\"" + value + "\"" : String.valueOf(value);
        return new InvalidInputException(field, shown, problem, fix);
    }

    /** Throws {@link #of} when {@code condition} is false. */
    public static void require(boolean condition, String field, Object value, String problem, String fix) {
        if (!condition) {
            throw of(field, value, problem, fix);
        }
    }

    /** The field the operator has to change. */
    public String field() {
        return field;
    }

    /** The refused value, as shown in the message. */
    public String value() {
        return value;
    }

    /** What is wrong with the value, e.g. {@code must be greater than 0}. */
    public String problem() {
        return problem;
    }

    /** What to do instead. */
    public String fix() {
        return fix;
    }

    /** The message without its field: {@code value problem; fix}. */
    public String detail() {
        return value + " " + problem + "; " + fix;
    }

    /**
     * The same refusal under the name the operator used for the field, e.g. a command-line option
     * instead of the core's field name.
     */
    public InvalidInputException withField(String operatorField) {
        InvalidInputException renamed = new InvalidInputException(operatorField, value, problem, fix);
        renamed.initCause(this);
        return renamed;
    }
}
