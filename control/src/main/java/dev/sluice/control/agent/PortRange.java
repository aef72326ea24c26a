package dev.sluice.control.agent;

/** An inclusive range of ports given on the command line as {@code MIN-MAX}. */
record PortRange(int min, int max) {
    PortRange {
        if (min < 1 || max > 65535 || min > max) {
            throw new IllegalArgumentException(min + "-" + max + " is not a range of ports within 1..65535");
        }
    }

    /** Parses {@code text}; an error names {@code flag} and shows {@code example}. */
    static PortRange parse(String flag, String text, String example) {
        String[] bounds = text.split("-");
        try {
            if (bounds.length > 2) {
                throw new NumberFormatException(text);
            }
            return new PortRange(Integer.parseInt(bounds[0].strip()), Integer.parseInt(bounds[bounds.length - 1].strip()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + ": '" + text + "' is no port range like " + example, e);
        }
    }
}
