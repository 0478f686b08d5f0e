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

    static void silence() {
        if (!silenced) {
            avutil.av_log_set_level(avutil.AV_LOG_QUIET);
            silenced = true;
        }
    }
}
