package org.shufflenet3d.train;

/** What trains: the reference's {@code ft_portion}. */
public enum FineTuning {
    /** Every parameter ({@code complete}). */
    COMPLETE,
    /**
     * Only the classifier ({@code last_layer}). The feature extractor is truly frozen: its weights and batch-norm
     * statistics stay as they are and it runs in inference form.
     */
    LAST_LAYER
}
