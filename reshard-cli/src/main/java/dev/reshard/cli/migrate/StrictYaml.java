package dev.reshard.cli.migrate;

import dev.reshard.core.InvalidInputException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.DocumentStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.MappingStartEvent;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.events.ScalarEvent;

/*
 * Design notes
 *
 * YAML 1.1 (what SnakeYAML, under Jackson, reads) coerces silently: an alias becomes a copy of its
 * anchor, off and no become false, 0755 becomes 493 and 0x10 becomes 16, 1:30 becomes 90, and a
 * second document is ignored. A config is not the place for any of that, so before the tree is
 * built this walks the parser's events once, tracking the path of each node (shards[1].capacity),
 * and refuses anchors, aliases, merge keys, tags, duplicate keys, extra documents and every plain
 * scalar whose meaning differs between YAML 1.1 and 1.2 or from what it looks like. A syntax error
 * is reported by line and column and the parser's problem only: never the line's text (it may be a
 * password line).
 */
/** Refuses the YAML features a Reshard config does not use, naming where each one is. */
final class StrictYaml {
    private static final Pattern BOOLEAN_1_1 = Pattern.compile("y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF");
    private static final Pattern OTHER_BASE =
            Pattern.compile("[-+]?(0[0-7_]+|0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+)");
    private static final Pattern SEXAGESIMAL = Pattern.compile("[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\\.[0-9_]*)?");
    private static final Pattern UNDERSCORED = Pattern.compile("[-+]?[0-9][0-9_]*_[0-9_]*(\\.[0-9_]*)?");
    private static final Pattern SPECIAL_FLOAT = Pattern.compile("[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)");

    private final List<InvalidInputException> problems = new ArrayList<>();
    private final Deque<Frame> stack = new ArrayDeque<>();

    /** A mapping or a sequence being read. */
    private static final class Frame {
        final String path;
        final boolean mapping;
        final Set<String> keys = new HashSet<>();
        int index;
        String key;

        Frame(String path, boolean mapping) {
            this.path = path;
            this.mapping = mapping;
        }
    }

    private StrictYaml() {}

    /** Every problem of {@code text} (empty when it may be read as a plain tree). */
    static List<InvalidInputException> check(String text, int codePointLimit) {
        return new StrictYaml().run(text, codePointLimit);
    }

    private List<InvalidInputException> run(String text, int codePointLimit) {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(codePointLimit);
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(0);
        int documents = 0;
        try {
            for (Event e : new Yaml(options).parse(new java.io.StringReader(text))) {
                if (e instanceof DocumentStartEvent) {
                    if (++documents > 1) {
                        problem(
                                "config",
                                new Shown("document " + documents),
                                "is a second YAML document (after a '---' line)",
                                "keep one document: remove the '---' line and what follows it");
                        break;
                    }
                } else if (e instanceof AliasEvent alias) {
                    problem(
                            path(),
                            new Shown("*" + alias.getAnchor()),
                            "is a YAML alias",
                            "write the value out; anchors and aliases are not read");
                    done();
                } else if (e instanceof ScalarEvent scalar) {
                    scalar(scalar);
                } else if (e instanceof CollectionStartEvent start) {
                    nodeFeatures(start, start.getTag());
                    stack.push(new Frame(path(), start instanceof MappingStartEvent));
                } else if (e.is(Event.ID.MappingEnd) || e.is(Event.ID.SequenceEnd)) {
                    stack.pop();
                    done();
                }
            }
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String where =
                    mark == null ? "" : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
            problems.add(InvalidInputException.of(
                    "config",
                    new Shown("(the file)"),
                    "is not valid YAML" + where + " (" + Text.cut(String.valueOf(e.getProblem()), 120) + ")",
                    "fix the syntax; keys are unique and indented with spaces"));
        } catch (YAMLException e) {
            problems.add(InvalidInputException.of(
                    "config",
                    new Shown("(the file)"),
                    "cannot be read as YAML (" + Text.cut(e.getClass().getSimpleName(), 60) + ")",
                    "write plain YAML: mappings, lists and plain values"));
        }
        return problems;
    }

    private void scalar(ScalarEvent s) {
        Frame parent = stack.peek();
        if (parent != null && parent.mapping && parent.key == null) {
            String key = s.getValue();
            String field = child(parent.path, key);
            if (s.isPlain() && key.equals("<<")) {
                problem(
                        parent.path,
                        new Shown("<<"),
                        "is a YAML merge key",
                        "write the keys out; merge keys are not read");
            } else if (!parent.keys.add(key)) {
                problem(field, new Shown(key), "is given twice", "keep one");
            }
            nodeFeatures(s, s.getTag());
            parent.key = key;
            return;
        }
        String field = path();
        nodeFeatures(s, s.getTag());
        if (s.isPlain()) {
            String v = s.getValue();
            if (BOOLEAN_1_1.matcher(v).matches()) {
                problem(
                        field,
                        new Shown(v),
                        "is a yes/no word that YAML reads as true or false",
                        "write true or false, or quote it (\"" + v + "\") if it is text");
            } else if (OTHER_BASE.matcher(v).matches()) {
                problem(
                        field,
                        new Shown(v),
                        "is a number YAML reads in another base (octal, hexadecimal or binary)",
                        "write the number in decimal without a leading 0, or quote it (\"" + v + "\") if it is text");
            } else if (SEXAGESIMAL.matcher(v).matches()) {
                problem(
                        field,
                        new Shown(v),
                        "is a base-60 number to YAML 1.1 (1:30 is 90)",
                        "write the number plainly, or quote it (\"" + v + "\") if it is text");
            } else if (UNDERSCORED.matcher(v).matches()) {
                problem(
                        field,
                        new Shown(v),
                        "has '_' digit separators, which YAML 1.1 drops",
                        "write the digits without '_'");
            } else if (SPECIAL_FLOAT.matcher(v).matches()) {
                problem(field, new Shown(v), "is infinity or not-a-number to YAML", "write a finite number");
            }
        }
        done();
    }

    private void nodeFeatures(NodeEvent e, String tag) {
        if (e.getAnchor() != null) {
            problem(
                    path(),
                    new Shown("&" + e.getAnchor()),
                    "is a YAML anchor",
                    "remove it; anchors and aliases are not read");
        }
        if (tag != null) {
            problem(
                    path(),
                    new Shown(Text.cut(tag, 60)),
                    "is a YAML tag",
                    "remove it; write plain values (quote text)");
        }
    }

    /** The path of the node being read: {@code shards[1].capacity}. */
    private String path() {
        Frame top = stack.peek();
        if (top == null) {
            return "config";
        }
        if (top.mapping) {
            return child(top.path, top.key == null ? "?" : top.key);
        }
        return top.path + "[" + top.index + "]";
    }

    private static String child(String path, String key) {
        return path.equals("config") ? key : path + "." + key;
    }

    /** A node ended: its mapping waits for the next key, its sequence for the next item. */
    private void done() {
        Frame top = stack.peek();
        if (top == null) {
            return;
        }
        if (top.mapping) {
            top.key = null;
        } else {
            top.index++;
        }
    }

    private void problem(String field, Object value, String problem, String fix) {
        problems.add(InvalidInputException.of(field, value, problem, fix));
    }

    /** A value shown unquoted. */
    private record Shown(String text) {
        @Override
        public String toString() {
            return text;
        }
    }
}
