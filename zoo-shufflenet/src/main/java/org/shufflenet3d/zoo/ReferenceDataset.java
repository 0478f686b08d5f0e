package org.shufflenet3d.zoo;

/**
 * The datasets of the reference's checkpoints and fine-tuning examples, with their class names in the label order
 * the reference's code gives them (the {@code labels} of the annotation files its utilities write: Kinetics-600's
 * in order of first appearance in its validation CSV, Jester's and UCF-101's as their {@code classInd.txt} lists
 * them, Jester's names with the underscores the reference uses).
 */
public enum ReferenceDataset {
    KINETICS_600("Kinetics-600", "kinetics-600.txt", 600),
    JESTER("Jester", "jester.txt", 27),
    UCF_101("UCF-101", "ucf-101.txt", 101);

    private final String displayName;
    private final String resource;
    private final int numClasses;
    private volatile ClassLabels labels;

    ReferenceDataset(String displayName, String resource, int numClasses) {
        this.displayName = displayName;
        this.resource = resource;
        this.numClasses = numClasses;
    }

    public int numClasses() {
        return numClasses;
    }

    /** The class names, label 0 first, read from this library's resources once. */
    public ClassLabels labels() {
        ClassLabels read = labels;
        if (read == null) {
            read = ClassLabels.resource(resource);
            if (read.size() != numClasses) {
                throw new IllegalStateException(resource + " lists " + read.size() + " classes; " + displayName + " has "
                        + numClasses);
            }
            labels = read;
        }
        return read;
    }

    @Override
    public String toString() {
        return displayName;
    }
}
