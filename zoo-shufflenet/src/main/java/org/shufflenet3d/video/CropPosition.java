package org.shufflenet3d.video;

/** Where a corner crop sits: the reference's {@code 'c'}, {@code 'tl'}, {@code 'tr'}, {@code 'bl'}, {@code 'br'}. */
public enum CropPosition {
    CENTER("c"),
    TOP_LEFT("tl"),
    TOP_RIGHT("tr"),
    BOTTOM_LEFT("bl"),
    BOTTOM_RIGHT("br");

    private final String code;

    CropPosition(String code) {
        this.code = code;
    }

    /** The reference's name of the position, e.g. {@code "tl"}. */
    public String code() {
        return code;
    }

    /** The position the reference calls {@code code} ({@code c}, {@code tl}, {@code tr}, {@code bl}, {@code br}). */
    public static CropPosition ofCode(String code) {
        for (CropPosition position : values()) {
            if (position.code.equals(code)) {
                return position;
            }
        }
        throw new IllegalArgumentException("unknown crop position '" + code + "': expected c, tl, tr, bl or br");
    }
}
