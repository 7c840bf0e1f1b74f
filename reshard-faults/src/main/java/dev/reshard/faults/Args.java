package dev.reshard.faults;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code --name value} pairs; a name may repeat ({@link #all}). */
final class Args {
    private final Map<String, List<String>> values = new LinkedHashMap<>();

    Args(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("expected --name, got " + a);
            }
            String name = a.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                value = args[++i];
            } else {
                value = "true";
            }
            values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String get(String name) {
        List<String> v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("missing --" + name);
        }
        return v.get(v.size() - 1);
    }

    String get(String name, String fallback) {
        return has(name) ? get(name) : fallback;
    }

    long getLong(String name, long fallback) {
        return has(name) ? Long.parseLong(get(name)) : fallback;
    }

    int getInt(String name, int fallback) {
        return has(name) ? Integer.parseInt(get(name)) : fallback;
    }

    List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }
}
