package dev.sluice.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Plain-text tables: a header, rows aligned in columns two spaces apart (columns named with a
 * leading {@code >} are right-aligned), and optional detail lines under a row, indented and
 * aligned among themselves. No trailing spaces, so output diffs cleanly.
 */
public final class Table {
    private static final String DETAIL_INDENT = "    ";

    private final String[] headers;
    private final boolean[] right;
    private final List<Object> lines = new ArrayList<>();

    public Table(String... columns) {
        headers = new String[columns.length];
        right = new boolean[columns.length];
        for (int i = 0; i < columns.length; i++) {
            right[i] = columns[i].startsWith(">");
            headers[i] = right[i] ? columns[i].substring(1) : columns[i];
        }
    }

    public Table row(Object... cells) {
        if (cells.length != headers.length) {
            throw new IllegalArgumentException("row of " + cells.length + " cells for " + headers.length + " columns");
        }
        lines.add(new Row(strings(cells)));
        return this;
    }

    /** A line under the last row, in the columns all detail lines share. */
    public Table detail(Object... cells) {
        lines.add(new Detail(strings(cells)));
        return this;
    }

    public boolean isEmpty() {
        return lines.stream().noneMatch(Row.class::isInstance);
    }

    public String render() {
        int[] widths = new int[headers.length];
        int detailColumns = 0;
        for (Object line : lines) {
            if (line instanceof Detail detail) {
                detailColumns = Math.max(detailColumns, detail.cells.length);
            }
        }
        int[] detailWidths = new int[detailColumns];
        for (int i = 0; i < headers.length; i++) {
            widths[i] = headers[i].length();
        }
        for (Object line : lines) {
            if (line instanceof Row row) {
                for (int i = 0; i < row.cells.length; i++) {
                    widths[i] = Math.max(widths[i], row.cells[i].length());
                }
            } else if (line instanceof Detail detail) {
                for (int i = 0; i < detail.cells.length; i++) {
                    detailWidths[i] = Math.max(detailWidths[i], detail.cells[i].length());
                }
            }
        }
        StringBuilder out = new StringBuilder();
        append(out, "", headers, widths, right);
        boolean[] left = new boolean[detailColumns];
        for (Object line : lines) {
            if (line instanceof Row row) {
                append(out, "", row.cells, widths, right);
            } else if (line instanceof Detail detail) {
                append(out, DETAIL_INDENT, detail.cells, detailWidths, left);
            }
        }
        return out.toString();
    }

    private static void append(StringBuilder out, String indent, String[] cells, int[] widths, boolean[] right) {
        StringBuilder line = new StringBuilder(indent);
        for (int i = 0; i < cells.length; i++) {
            String cell = cells[i];
            int pad = widths[i] - cell.length();
            if (i > 0) {
                line.append("  ");
            }
            if (right[i]) {
                line.append(" ".repeat(pad)).append(cell);
            } else {
                line.append(cell).append(i == cells.length - 1 ? "" : " ".repeat(pad));
            }
        }
        out.append(line.toString().stripTrailing()).append('\n');
    }

    private static String[] strings(Object[] cells) {
        return Arrays.stream(cells).map(c -> c == null ? "-" : c.toString()).toArray(String[]::new);
    }

    private record Row(String[] cells) {
    }

    private record Detail(String[] cells) {
    }
}
