package io.clip4stream.app.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** A table for the terminal whose columns are as wide as their widest cell, so long source ids keep it aligned. */
final class TextTable {
    private final List<String> header;
    private final Set<Integer> rightAligned;
    private final List<List<String>> rows = new ArrayList<>();

    /** A table with these column titles; the columns in {@code rightAligned} (numbers) align right. */
    TextTable(List<String> header, Set<Integer> rightAligned) {
        this.header = List.copyOf(header);
        this.rightAligned = Set.copyOf(rightAligned);
    }

    /** Adds a row of as many cells as there are columns. */
    TextTable row(Object... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException(header.size() + " cells expected, got " + cells.length);
        }
        List<String> row = new ArrayList<>();
        for (Object cell : cells) {
            row.add(String.valueOf(cell));
        }
        rows.add(row);
        return this;
    }

    /** Prints the header and the rows, two spaces between columns, no trailing spaces. */
    void print(PrintWriter out) {
        int[] widths = new int[header.size()];
        for (List<String> row : allRows()) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        for (List<String> row : allRows()) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                String cell = row.get(i);
                String pad = " ".repeat(widths[i] - cell.length());
                line.append(i == 0 ? "" : "  ").append(rightAligned.contains(i) ? pad + cell : cell + pad);
            }
            out.println(line.toString().stripTrailing());
        }
    }

    private List<List<String>> allRows() {
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        return all;
    }
}
