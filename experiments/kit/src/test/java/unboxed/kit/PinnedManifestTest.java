package unboxed.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import unboxed.io.RepoRoot;
import unboxed.io.Results;

/**
 * Every folder of pinned results carries a SHA256SUMS that lists exactly its results files, with their sums,
 * as {@link Staging#manifest} writes it.
 */
class PinnedManifestTest {
    @Test
    void everyPinnedResultsFolderMatchesItsManifest() throws IOException, NoSuchAlgorithmException {
        Path results = RepoRoot.get().resolve("data/results");
        List<Path> posts;
        try (Stream<Path> s = Files.list(results)) {
            // hidden folders are a run's staging (RunPost), never pinned results
            posts = s.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        }
        assertFalse(posts.isEmpty(), "no pinned results under " + results);
        for (Path post : posts) {
            Map<String, String> listed = new TreeMap<>();
            for (String line : Files.readAllLines(post.resolve("SHA256SUMS"))) {
                String[] parts = line.split("\\s+", 2);
                listed.put(parts[1].replaceFirst("^\\*", ""), parts[0]);
            }
            Map<String, String> actual = new TreeMap<>();
            try (Stream<Path> s = Files.list(post)) {
                for (Path f : s.filter(p -> p.toString().endsWith(".json")).toList()) {
                    byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f));
                    actual.put(f.getFileName().toString(), HexFormat.of().formatHex(digest));
                    // and each is a well-formed results file of this post
                    assertEquals(post.getFileName().toString(), Results.read(f).get("post").asText(), f.toString());
                }
            }
            assertEquals(listed, actual, post + "/SHA256SUMS does not match the files: regenerate with"
                    + " `make experiments POST=" + post.getFileName() + "` (or `make bench`)");
            assertTrue(actual.size() > 0, post + " has no results files");
            // and byte for byte what the kit writes: sha256sum's format, sorted by name
            assertEquals(Staging.manifest(post), Files.readString(post.resolve("SHA256SUMS")), post + "/SHA256SUMS");
        }
    }
}
