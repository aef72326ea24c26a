package dev.sluice.control.migrate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The tables of one {@code iptables-save} output: chains with their policies, and every rule. */
record IptablesSave(List<Table> tables, Set<String> incompatible) {
    // iptables-nft prints this, instead of the table, for a table it cannot represent (made by nft).
    private static final Pattern INCOMPATIBLE = Pattern.compile("^# Table `([^']+)' is incompatible");

    /** One table: chain name to policy ("-" for user chains), and its rules in order. */
    record Table(String name, Map<String, String> chains, List<Rule> rules) {
        boolean builtin(String chain) {
            String policy = chains.get(chain);
            return policy != null && !policy.equals("-");
        }
    }

    /** One {@code -A CHAIN ...} line as saved, and the chain it jumps or goes to, if any. */
    record Rule(String chain, String line, Optional<String> target) {
    }

    static IptablesSave parse(String text) {
        List<Table> tables = new ArrayList<>();
        Set<String> incompatible = new LinkedHashSet<>();
        String name = null;
        Map<String, String> chains = null;
        List<Rule> rules = null;
        int number = 0;
        for (String raw : text.split("\n")) {
            number++;
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                Matcher matcher = INCOMPATIBLE.matcher(line);
                if (matcher.find()) {
                    incompatible.add(matcher.group(1));
                }
                continue;
            }
            if (line.startsWith("*")) {
                name = line.substring(1);
                chains = new LinkedHashMap<>();
                rules = new ArrayList<>();
            } else if (name == null) {
                throw new IllegalArgumentException("line " + number + " is outside a table: " + line);
            } else if (line.equals("COMMIT")) {
                tables.add(new Table(name, chains, rules));
                name = null;
            } else if (line.startsWith(":")) {
                String[] fields = line.substring(1).split("\\s+");
                chains.put(fields[0], fields.length > 1 ? fields[1] : "-");
            } else if (line.startsWith("-A ")) {
                List<String> words = words(line);
                rules.add(new Rule(words.get(1), line, target(words)));
            } else {
                throw new IllegalArgumentException("line " + number + " of table " + name + " is not a chain or rule: " + line);
            }
        }
        if (name != null) {
            throw new IllegalArgumentException("table " + name + " has no COMMIT");
        }
        return new IptablesSave(List.copyOf(tables), Set.copyOf(incompatible));
    }

    private static Optional<String> target(List<String> words) {
        for (int i = 2; i < words.size() - 1; i++) {
            String word = words.get(i);
            if (word.equals("-j") || word.equals("-g") || word.equals("--jump") || word.equals("--goto")) {
                return Optional.of(words.get(i + 1));
            }
        }
        return Optional.empty();
    }

    /** Splits a saved rule into words as iptables-restore would: double quotes group, backslash escapes. */
    static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length()) {
                word.append(line.charAt(++i));
                any = true;
            } else if (c == '"') {
                quoted = !quoted;
                any = true;
            } else if (Character.isWhitespace(c) && !quoted) {
                if (any) {
                    words.add(word.toString());
                    word.setLength(0);
                    any = false;
                }
            } else {
                word.append(c);
                any = true;
            }
        }
        if (any) {
            words.add(word.toString());
        }
        return words;
    }
}
