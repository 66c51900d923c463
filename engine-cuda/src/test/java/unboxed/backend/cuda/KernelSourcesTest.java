package unboxed.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import unboxed.backend.BinaryOp;
import unboxed.backend.ReduceOp;
import unboxed.backend.UnaryOp;

/** The kernels receive ops as ordinals: their enums must list Java's constants in Java's order. */
class KernelSourcesTest {
    static Path cuda(String file) {
        return Paths.get(System.getProperty("unboxed.root", "..")).resolve("engine-cuda/src/main/cuda").resolve(file);
    }

    static List<String> enumConstants(String file, String name) throws IOException {
        String src = Files.readString(cuda(file));
        Matcher m = Pattern.compile("enum " + name + "\\s*\\{([^}]*)\\}").matcher(src);
        if (!m.find()) {
            throw new AssertionError("no enum " + name + " in " + file);
        }
        return Arrays.stream(m.group(1).split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    static List<String> names(Enum<?>[] values) {
        return Arrays.stream(values).map(Enum::name).toList();
    }

    @Test
    void unaryOpsInJavaOrder() throws IOException {
        assertEquals(names(UnaryOp.values()), enumConstants("elementwise.cu", "Unary"));
    }

    @Test
    void binaryOpsInJavaOrder() throws IOException {
        assertEquals(names(BinaryOp.values()), enumConstants("elementwise.cu", "Binary"));
    }

    @Test
    void reduceOpsInJavaOrder() throws IOException {
        assertEquals(names(ReduceOp.values()), enumConstants("reduce.cu", "Reduce"));
    }
}
