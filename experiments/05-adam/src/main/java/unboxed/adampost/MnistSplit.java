package unboxed.adampost;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import unboxed.data.Dataset;
import unboxed.data.Datasets;

/**
 * The MNIST split every experiment of this post uses: the first 55,000 training images to train on,
 * the last 5,000 held out (validation: learning rates and betas are chosen on it), and the 10,000
 * test images for the numbers reported.
 */
public record MnistSplit(Dataset train, Dataset validation, Dataset test) {
    public static final int VALIDATION = 5_000;

    public static MnistSplit load() throws IOException {
        Dataset all = Dataset.mnist(Datasets.root(), true);
        return new MnistSplit(all.subset(all.size() - VALIDATION), all.slice(all.size() - VALIDATION, all.size()),
                Dataset.mnist(Datasets.root(), false));
    }

    /** What a results file says about the data. */
    public Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("dataset", train.name());
        d.put("train", "the first " + train.size() + " training images");
        d.put("validation", "the last " + validation.size() + " training images, held out");
        d.put("test", "the " + test.size() + " test images");
        return d;
    }
}
