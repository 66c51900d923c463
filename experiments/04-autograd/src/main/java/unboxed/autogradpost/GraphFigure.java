package unboxed.autogradpost;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Draws a recorded graph (graph-picture.json) as SVG: the loss's node at the top, each node above
 * the nodes and leaves it passes gradients to, one arrow per edge in the direction backward walks
 * it. Layers are the longest path from the loss, so every arrow points down; within a layer, nodes
 * sit in the order of their parents (a barycentre pass), which keeps the two Linear layers apart.
 */
final class GraphFigure {
    private static final int FONT = 12;
    private static final int ROW = 74;
    private static final int BOX_H = 40;
    private static final int GAP = 18;
    private static final double CHAR = 6.9;

    /** A box on the page: an op node or a leaf. */
    private static final class Box {
        final String title;
        final String detail;
        final boolean leaf;
        final List<Box> children = new ArrayList<>();
        final List<Box> parents = new ArrayList<>();
        int layer;
        double x;
        double width;

        Box(String title, String detail, boolean leaf) {
            this.title = title;
            this.detail = detail;
            this.leaf = leaf;
            this.width = Math.max(title.length(), detail.length()) * CHAR + 20;
        }
    }

    private GraphFigure() {
    }

    static String svg(JsonNode picture) {
        List<Box> nodes = new ArrayList<>();
        for (JsonNode n : picture.get("nodes")) {
            StringBuilder saved = new StringBuilder();
            for (JsonNode s : n.get("saved_shapes")) {
                saved.append(saved.length() == 0 ? "saves " : ", ").append(shape(s));
            }
            nodes.add(new Box(n.get("name").asText() + "  " + shape(n.get("shape")),
                    saved.length() == 0 ? "saves nothing" : saved.toString(), false));
        }
        List<Box> leaves = new ArrayList<>();
        for (JsonNode l : picture.get("leaves")) {
            leaves.add(new Box(l.get("label").asText() + "  " + shape(l.get("shape")), "AccumulateGrad into .grad", true));
        }
        int i = 0;
        for (JsonNode n : picture.get("nodes")) {
            Box b = nodes.get(i++);
            for (JsonNode in : n.get("input_nodes")) {
                link(b, nodes.get(in.asInt()));
            }
            for (JsonNode in : n.get("input_leaves")) {
                link(b, leaves.get(in.asInt()));
            }
        }
        // nodes are listed inputs first, so walking them backwards visits every parent before its children
        Box root = nodes.get(picture.get("root").asInt());
        root.layer = 0;
        for (int k = nodes.size() - 1; k >= 0; k--) {
            Box b = nodes.get(k);
            for (Box c : b.children) {
                c.layer = Math.max(c.layer, b.layer + 1);
            }
        }
        List<Box> all = new ArrayList<>(nodes);
        all.addAll(leaves);
        int layers = all.stream().mapToInt(b -> b.layer).max().orElse(0) + 1;
        List<List<Box>> rows = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            rows.add(new ArrayList<>());
        }
        for (Box b : all) {
            rows.get(b.layer).add(b);
        }
        double width = 0;
        for (List<Box> row : rows) {
            // order by the mean position of the parents, placed in the row above
            row.sort(Comparator.comparingDouble(GraphFigure::parentCentre));
            double x = 0;
            for (Box b : row) {
                b.x = x;
                x += b.width + GAP;
            }
            width = Math.max(width, x - GAP);
        }
        int w = (int) Math.ceil(width) + 40;
        for (List<Box> row : rows) {
            double used = row.stream().mapToDouble(b -> b.width + GAP).sum() - GAP;
            double shift = (w - used) / 2;
            for (Box b : row) {
                b.x += shift;
            }
        }
        int h = layers * ROW + 40;
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(w).append("\" height=\"").append(h)
                .append("\" viewBox=\"0 0 ").append(w).append(' ').append(h).append("\" font-family=\"sans-serif\">\n");
        s.append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\""
                + " markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#555\"/>"
                + "</marker></defs>\n");
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        for (Box b : all) {
            for (Box c : b.children) {
                s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#555\""
                                + " stroke-width=\"1.2\" marker-end=\"url(#arrow)\"/>\n",
                        b.x + b.width / 2, y(b) + BOX_H, c.x + c.width / 2, y(c)));
            }
        }
        for (Box b : all) {
            String fill = b.leaf ? "#dbe9f6" : b == root ? "#fde2c8" : "#f2f2f2";
            s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" rx=\"6\""
                    + " fill=\"%s\" stroke=\"#333\"/>\n", b.x, y(b), b.width, BOX_H, fill));
            text(s, b.x + b.width / 2, y(b) + 16, b.title, "bold");
            text(s, b.x + b.width / 2, y(b) + 32, b.detail, "normal");
        }
        s.append("</svg>\n");
        return s.toString();
    }

    private static void link(Box parent, Box child) {
        parent.children.add(child);
        child.parents.add(parent);
    }

    private static double parentCentre(Box b) {
        return b.parents.stream().mapToDouble(p -> p.x + p.width / 2).average().orElse(0);
    }

    private static double y(Box b) {
        return 20 + b.layer * ROW;
    }

    private static void text(StringBuilder s, double x, double y, String t, String weight) {
        s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" font-weight=\"%s\""
                + " text-anchor=\"middle\">%s</text>\n", x, y, FONT - (weight.equals("normal") ? 1 : 0), weight,
                escape(t)));
    }

    private static String escape(String t) {
        return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    static String shape(JsonNode shape) {
        List<String> dims = new ArrayList<>();
        shape.forEach(d -> dims.add(d.asText()));
        return "[" + String.join(", ", dims) + "]";
    }

    /** The figure's width in pixels, for the caption's image macro. */
    static int width(String svg) {
        int at = svg.indexOf("width=\"") + 7;
        return Integer.parseInt(svg.substring(at, svg.indexOf('"', at)));
    }
}
