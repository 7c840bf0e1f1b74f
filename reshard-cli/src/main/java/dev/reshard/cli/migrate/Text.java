package dev.reshard.cli.migrate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Number and line formats of the migration output: counts with thousands separators, short
 * durations, and words wrapped to the 100 columns every command's text output fits.
 */
public final class Text {
    /** Every line of text output fits this many columns. */
    public static final int WIDTH = 100;

    private Text() {}

    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** {@code 62%}, {@code 100%}; never rounds an unfinished fraction up to 100. */
    public static String percent(double fraction) {
        long p = (long) Math.floor(fraction * 100);
        return p + "%";
    }

    /** {@code 850 ms}, {@code 2.3 s}, {@code 4 min 5 s}, {@code 2 h 10 min}. */
    public static String duration(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms < 60_000) {
            return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        long s = d.toSeconds();
        if (s < 3600) {
            return (s / 60) + " min " + (s % 60) + " s";
        }
        return (s / 3600) + " h " + (s % 3600 / 60) + " min";
    }

    /** Like {@link #duration}, but compact for progress lines: {@code 850ms}, {@code 12s}, {@code 4m05s}. */
    public static String eta(Duration d) {
        long s = Math.max(0, (d.toMillis() + 999) / 1000);
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60);
    }

    /**
     * {@code first} followed by {@code text} wrapped at word boundaries to {@link #WIDTH} columns,
     * continuation lines indented to the width of {@code first}. A word longer than a line stays
     * whole.
     */
    public static List<String> wrap(String first, String text) {
        String indent = " ".repeat(first.length());
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder(first);
        boolean empty = true;
        for (String word : text.strip().split("\\s+")) {
            if (!empty && line.length() + 1 + word.length() > WIDTH) {
                lines.add(line.toString());
                line = new StringBuilder(indent);
                empty = true;
            }
            if (!empty) {
                line.append(' ');
            }
            line.append(word);
            empty = false;
        }
        lines.add(line.toString());
        return lines;
    }

    /** {@code text} cut to {@code max} characters, with an ellipsis when cut. */
    public static String cut(String text, int max) {
        String oneLine = text.replaceAll("\\s+", " ").strip();
        return oneLine.length() <= max ? oneLine : oneLine.substring(0, Math.max(0, max - 3)) + "...";
    }

    /** Bytes in powers of 1024, as the config writes them: {@code 512B}, {@code 1.5GB}, {@code 80GB}. */
    public static String bytes(long n) {
        String[] units = {"B", "KB", "MB", "GB", "TB", "PB"};
        double v = n;
        int u = 0;
        while (Math.abs(v) >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return (u == 0 || v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.1f", v))
                + units[u];
    }

    /** {@code text} in lines of at most {@code width} characters, broken at spaces. */
    static java.util.List<String> wrap(String text, int width) {
        java.util.List<String> out = new java.util.ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                out.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(word);
        }
        out.add(line.toString());
        return out;
    }
}
