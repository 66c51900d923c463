package unboxed.brain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import unboxed.io.RepoRoot;

/**
 * The post's cited tables, read and checked once: {@code data/brain-capacity/{brains, computers,
 * models, constants}.csv}, with the sha256 of each file so that every results file records exactly
 * which version of the tables it was computed from (and the report refuses tables that changed
 * since).
 */
record Inputs(List<Estimate> brains, List<Estimate> computers, List<Estimate> models, List<Estimate> constants,
              Map<String, String> sha256) {

    /** Reads the four tables under {@code <repo>/data/brain-capacity}. */
    static Inputs read(Path repoRoot) throws IOException {
        Path dir = CitedTable.folder(repoRoot);
        Map<String, String> sums = new LinkedHashMap<>();
        for (CitedTable.Schema s : CitedTable.Schema.values()) {
            Path f = dir.resolve(s.file());
            if (Files.isRegularFile(f)) {
                sums.put("data/brain-capacity/" + s.file(), sha256(Files.readAllBytes(f)));
            }
        }
        return new Inputs(CitedTable.read(dir, CitedTable.Schema.BRAINS), CitedTable.read(dir, CitedTable.Schema.COMPUTERS),
                CitedTable.read(dir, CitedTable.Schema.MODELS), CitedTable.read(dir, CitedTable.Schema.CONSTANTS),
                java.util.Collections.unmodifiableMap(sums));
    }

    static Inputs read() throws IOException {
        return read(RepoRoot.get());
    }

    /** The value of a constant ({@code constants.csv}); its low end unless {@code high}. */
    double constant(String quantity, boolean high) {
        for (Estimate e : constants) {
            if (e.quantity().equals(quantity)) {
                return high ? e.high() : e.low();
            }
        }
        throw new IllegalArgumentException("data/brain-capacity/constants.csv has no row for " + quantity);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
