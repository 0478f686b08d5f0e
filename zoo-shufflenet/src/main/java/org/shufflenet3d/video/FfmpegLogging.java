package org.shufflenet3d.video;

import org.bytedeco.ffmpeg.global.avutil;

/**
 * FFmpeg prints its own diagnostics to the process's stderr; they are silenced (once, when FFmpeg is first used)
 * because every failure reaches the caller as an exception naming the file.
 */
final class FfmpegLogging {

    private static volatile boolean silenced;

    private FfmpegLogging() {
    }

    /** Silences FFmpeg; an {@link UnsatisfiedLinkError} naming what to add when its natives cannot be loaded. */
    static void silence() {
        if (!silenced) {
            try {
                avutil.av_log_set_level(avutil.AV_LOG_QUIET);
            } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
                throw VideoSupport.missingNatives(e);
            }
            silenced = true;
        }
    }
}
