package dev.reshard.faults;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM of a run (a client or an orchestrator), on this JVM's classpath. Its output goes to
 * a file; the lines {@code READY}, {@code EVENT <phase> ...} and {@code RESULT <phase>} are noted
 * as they come.
 */
final class Child {
    final String name;
    final Process process;
    final Path output;
    private final Thread pump;
    private volatile boolean ready;
    private volatile int events;
    private volatile String phase = "-";
    private volatile String result;
    private final List<String> notable = new ArrayList<>();

    private Child(String name, Process process, Path output) {
        this.name = name;
        this.process = process;
        this.output = output;
        this.pump = new Thread(this::pump, "pump-" + name);
        this.pump.setDaemon(true);
    }

    static Child launch(String name, Class<?> main, List<String> args, Path output) throws IOException {
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(
                java,
                "-Xmx384m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                main.getName()));
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        Child c = new Child(name, p, output);
        c.pump.start();
        return c;
    }

    private void pump() {
        try (BufferedReader in =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                Writer out = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                out.write(line);
                out.write('\n');
                out.flush();
                if (line.startsWith("READY")) {
                    ready = true;
                } else if (line.startsWith("EVENT ")) {
                    String[] f = line.split(" ", 3);
                    phase = f.length > 1 ? f[1] : phase;
                    events++;
                } else if (line.startsWith("RESULT ")) {
                    result = line.substring(7).trim();
                }
                if (line.startsWith("ERROR") || line.startsWith("REFUSED") || line.startsWith("RESULT")) {
                    synchronized (notable) {
                        notable.add(line);
                    }
                }
            }
        } catch (IOException e) {
            // the process went away
        }
    }

    boolean ready() {
        return ready;
    }

    int events() {
        return events;
    }

    String phase() {
        return phase;
    }

    String result() {
        return result;
    }

    List<String> notable() {
        synchronized (notable) {
            return List.copyOf(notable);
        }
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Sends {@code signal} (STOP, CONT) with kill(1). */
    void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid()))
                .redirectErrorStream(true)
                .start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill -" + signal + " " + pid() + " failed");
        }
    }

    /** SIGKILL, and waits for the process to be gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** Writes a line to the child's stdin (the clients stop on {@code stop}). */
    void tell(String line) {
        try {
            Writer w = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
            w.write(line + "\n");
            w.flush();
            process.getOutputStream().close();
        } catch (IOException e) {
            // already gone
        }
    }

    /** Waits for the process to exit and its output to be read; -1 if it did not exit in time. */
    int await(long millis) throws InterruptedException {
        if (!process.waitFor(millis, TimeUnit.MILLISECONDS)) {
            return -1;
        }
        pump.join(5_000);
        return process.exitValue();
    }
}
