package unboxed.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The committed PTX is what the committed CUDA sources compile to.
 *
 * <p>The engine loads PTX from its resources and never runs nvcc, so a kernel edited without
 * {@code make ptx} would silently run its old version. Each PTX file's first line records the
 * SHA-256 of the sources it was made from (tools/cuda/ptx.sh writes it); the first test recomputes
 * that hash here, which needs no CUDA toolkit and so runs everywhere. The second regenerates the
 * PTX where nvcc is installed and compares it byte for byte, which also catches a change of
 * compiler flags or a hand-edited PTX file.
 */
class PtxSourcesTest {
    private static final Pattern HASH_LINE = Pattern.compile("// source-sha256: ([0-9a-f]{64})");
    private static final Pattern NVCC_RELEASE = Pattern.compile("release [0-9.]+, V[0-9.]+");

    private static Path root() {
        String root = System.getProperty("unboxed.root");
        assertTrue(root != null && !root.isBlank(), "system property unboxed.root is not set (surefire sets it to"
                + " the repository root; run the tests through Maven)");
        return Path.of(root);
    }

    private static Path sources() {
        return root().resolve("engine-cuda/src/main/cuda");
    }

    private static Path ptxFolder() {
        return root().resolve("engine-cuda/src/main/resources/unboxed/backend/cuda/ptx");
    }

    /** The files of a folder whose names end with {@code suffix}, by name in String order (byte order for ASCII). */
    private static TreeMap<String, Path> files(Path dir, String suffix) throws IOException {
        TreeMap<String, Path> out = new TreeMap<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(suffix))
                        .forEach(p -> out.put(p.getFileName().toString(), p));
            }
        }
        return out;
    }

    /**
     * ptx.sh's source hash: for each header (sorted by name) and then the .cu, its file name, a
     * NUL byte and its bytes. Every header counts, included or not, as in ptx.sh.
     */
    static String sourceSha256(Path cu) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        List<Path> parts = new ArrayList<>(files(cu.getParent(), ".cuh").values());
        parts.add(cu);
        for (Path p : parts) {
            sha.update(p.getFileName().toString().getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(Files.readAllBytes(p));
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    @Test
    void everyKernelSourceHasUpToDatePtxAndEveryPtxHasASource() throws IOException {
        TreeMap<String, Path> cus = files(sources(), ".cu");
        TreeMap<String, Path> ptxs = files(ptxFolder(), ".ptx");
        Assumptions.assumeTrue(!cus.isEmpty() || !ptxs.isEmpty(),
                "no .cu file under engine-cuda/src/main/cuda and no PTX yet: nothing to compare");
        List<String> problems = new ArrayList<>();
        for (var e : cus.entrySet()) {
            String stem = e.getKey().substring(0, e.getKey().length() - ".cu".length());
            Path ptx = ptxs.get(stem + ".ptx");
            if (ptx == null) {
                problems.add(e.getKey() + " has no PTX (expected " + root().relativize(ptxFolder()) + "/" + stem + ".ptx)");
                continue;
            }
            String first;
            try (Stream<String> lines = Files.lines(ptx, StandardCharsets.UTF_8)) {
                first = lines.findFirst().orElse("");
            }
            Matcher m = HASH_LINE.matcher(first);
            if (!m.matches()) {
                problems.add(stem + ".ptx does not start with a '// source-sha256: <hex>' line (was it written by"
                        + " hand?)");
            } else if (!m.group(1).equals(sourceSha256(e.getValue()))) {
                problems.add(stem + ".ptx was made from other sources than the present " + e.getKey()
                        + " and *.cuh (recorded " + m.group(1) + ", now " + sourceSha256(e.getValue()) + ")");
            }
        }
        for (String name : ptxs.keySet()) {
            String cu = name.substring(0, name.length() - ".ptx".length()) + ".cu";
            if (!cus.containsKey(cu)) {
                problems.add(name + " has no source (expected engine-cuda/src/main/cuda/" + cu + ")");
            }
        }
        if (!problems.isEmpty()) {
            fail("the committed PTX does not match the CUDA sources; run `make ptx` and commit the result:\n  "
                    + String.join("\n  ", problems));
        }
    }

    @Test
    void regeneratingThePtxGivesTheCommittedBytes() throws Exception {
        Optional<Path> nvcc = onPath("nvcc");
        Assumptions.assumeTrue(nvcc.isPresent(), "nvcc is not on PATH: the PTX cannot be regenerated here (the"
                + " source hashes are still checked by the other test)");
        Assumptions.assumeTrue(onPath("ptxas").isPresent(), "nvcc is on PATH but ptxas is not: tools/cuda/ptx.sh"
                + " needs both");
        Assumptions.assumeTrue(!files(sources(), ".cu").isEmpty(), "no .cu file under engine-cuda/src/main/cuda yet");

        // PTX carries the release of the nvcc that made it, and another release emits other
        // (equally valid) code: comparing against it would test the compiler, not the sources
        String committed = committedNvccRelease();
        String local = run(List.of(nvcc.get().toString(), "--version"), 60).output();
        Matcher m = NVCC_RELEASE.matcher(local);
        String localRelease = m.find() ? m.group() : "an unknown release";
        Assumptions.assumeTrue(committed == null || committed.equals(localRelease), "the committed PTX was made by"
                + " nvcc " + committed + ", this machine's nvcc is " + localRelease + ": regenerating would differ by"
                + " compiler, not by sources");

        Result r = run(List.of("bash", root().resolve("tools/cuda/ptx.sh").toString(), "--check"), 600);
        assertEquals(0, r.exitCode(), "tools/cuda/ptx.sh --check found PTX that is not what the sources compile to"
                + " (run `make ptx`):\n" + r.output());
    }

    /** The nvcc release named in the header of the first committed PTX file, or null when there is none. */
    private static String committedNvccRelease() throws IOException {
        for (Path ptx : files(ptxFolder(), ".ptx").values()) {
            try (Stream<String> lines = Files.lines(ptx, StandardCharsets.UTF_8)) {
                Optional<String> found = lines.limit(20).map(NVCC_RELEASE::matcher).filter(Matcher::find)
                        .map(Matcher::group).findFirst();
                if (found.isPresent()) {
                    return found.get();
                }
            }
        }
        return null;
    }

    private static Optional<Path> onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, program);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private record Result(int exitCode, String output) {
    }

    private static Result run(List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
        Path log = Files.createTempFile("ptx-check", ".log");
        try {
            Process p = new ProcessBuilder(command).directory(root().toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(String.join(" ", command) + " did not finish within " + timeoutSeconds + " s");
            }
            return new Result(p.exitValue(), Files.readString(log));
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
