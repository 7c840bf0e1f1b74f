package dev.reshard.faults;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A client process's append-only operation log, one line per event, written with one {@code
 * write(2)} each (no user-space buffer), so a SIGKILL loses at most the event being written and
 * never an earlier one. The format, which {@link dev.reshard.faults.check.History} reads:
 *
 * <pre>
 * wallMillis TAB process TAB thread TAB seq TAB event TAB kind TAB key TAB value TAB extra
 * </pre>
 *
 * event is {@code invoke}, {@code ok}, {@code fail} or {@code unknown}; kind is {@code insert},
 * {@code append} or {@code read}; value is the operation's globally unique value (for a read, the
 * value the read would have had, unused); extra is, for an ok read, the history read ({@code \N}
 * for no row) and for a fail or unknown the error, on one line.
 */
final class OpLog implements AutoCloseable {
    private final FileOutputStream out;
    private final String process;

    OpLog(Path file, String process) {
        try {
            this.out = new FileOutputStream(file.toFile(), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.process = process;
    }

    void invoke(int thread, long seq, String kind, long key, String value) {
        line(thread, seq, "invoke", kind, key, value, "");
    }

    void complete(int thread, long seq, String event, String kind, long key, String value, String extra) {
        line(thread, seq, event, kind, key, value, extra);
    }

    private void line(int thread, long seq, String event, String kind, long key, String value, String extra) {
        String clean = extra == null
                ? "\\N"
                : extra.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
        String text = System.currentTimeMillis() + "\t" + process + "\t" + thread + "\t" + seq + "\t" + event + "\t"
                + kind + "\t" + key + "\t" + value + "\t" + clean + "\n";
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        synchronized (this) {
            try {
                out.write(bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
