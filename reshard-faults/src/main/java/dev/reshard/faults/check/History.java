package dev.reshard.faults.check;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The operations of a run, read back from the client processes' logs (the format is documented on
 * {@code dev.reshard.faults.OpLog}). An operation invoked but never completed (its process was
 * killed, or stopped before it returned) is {@link Outcome#UNKNOWN}.
 */
public final class History {
    public enum Kind {
        INSERT,
        APPEND,
        READ
    }

    public enum Outcome {
        OK,
        FAIL,
        UNKNOWN
    }

    /** One operation; {@code result} is the history an ok read returned ({@code null}: no row). */
    public static final class Op {
        public final String process;
        public final int thread;
        public final long seq;
        public final Kind kind;
        public final long key;
        public final String value;
        public final long invokedAt;
        Outcome outcome = Outcome.UNKNOWN;
        long completedAt = -1;
        String result;
        String error = "";
        boolean completed;

        Op(String process, int thread, long seq, Kind kind, long key, String value, long invokedAt) {
            this.process = process;
            this.thread = thread;
            this.seq = seq;
            this.kind = kind;
            this.key = key;
            this.value = value;
            this.invokedAt = invokedAt;
        }

        public Outcome outcome() {
            return outcome;
        }

        public String result() {
            return result;
        }

        public String error() {
            return error;
        }

        public long completedAt() {
            return completedAt;
        }

        public boolean isWrite() {
            return kind != Kind.READ;
        }

        String threadId() {
            return process + "/" + thread;
        }

        @Override
        public String toString() {
            return kind + " " + value + " key " + key + " by " + threadId() + " " + outcome
                    + (kind == Kind.READ && outcome == Outcome.OK ? " read '" + result + "'" : "")
                    + (error.isEmpty() ? "" : " (" + error + ")");
        }
    }

    private final Map<String, List<Op>> byThread = new LinkedHashMap<>();
    private int malformed;

    private History() {}

    public static History read(Collection<Path> logs) throws IOException {
        History h = new History();
        for (Path log : logs) {
            if (Files.exists(log)) {
                h.add(Files.readAllLines(log, StandardCharsets.UTF_8));
            }
        }
        return h;
    }

    private void add(List<String> lines) {
        Map<String, Op> open = new LinkedHashMap<>();
        for (String line : lines) {
            String[] f = line.split("\t", 9);
            if (f.length != 9) {
                malformed++; // a line cut by a SIGKILL: its operation stays unknown
                continue;
            }
            try {
                long at = Long.parseLong(f[0]);
                String process = f[1];
                int thread = Integer.parseInt(f[2]);
                long seq = Long.parseLong(f[3]);
                String event = f[4];
                Kind kind = Kind.valueOf(f[5].toUpperCase(java.util.Locale.ROOT));
                long key = Long.parseLong(f[6]);
                String value = f[7];
                String id = process + "/" + thread + "/" + seq;
                if (event.equals("invoke")) {
                    Op op = new Op(process, thread, seq, kind, key, value, at);
                    open.put(id, op);
                    byThread.computeIfAbsent(op.threadId(), k -> new ArrayList<>())
                            .add(op);
                    continue;
                }
                Op op = open.remove(id);
                if (op == null) {
                    malformed++;
                    continue;
                }
                op.completed = true;
                op.completedAt = at;
                switch (event) {
                    case "ok" -> {
                        op.outcome = Outcome.OK;
                        if (kind == Kind.READ) {
                            op.result = f[8].equals("\\N") ? null : f[8];
                        }
                    }
                    case "fail" -> {
                        op.outcome = Outcome.FAIL;
                        op.error = f[8];
                    }
                    default -> {
                        op.outcome = Outcome.UNKNOWN;
                        op.error = f[8];
                    }
                }
            } catch (IllegalArgumentException e) {
                malformed++;
            }
        }
    }

    /** Every client thread's operations, each list in the order the thread ran them. */
    public Map<String, List<Op>> byThread() {
        return byThread;
    }

    public List<Op> all() {
        List<Op> out = new ArrayList<>();
        byThread.values().forEach(out::addAll);
        return out;
    }

    /** Lines that could not be parsed (at most one per killed process is expected). */
    public int malformed() {
        return malformed;
    }
}
