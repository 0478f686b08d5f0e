package org.shufflenet3d.video;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.shufflenet3d.io.AtomicFiles;

/**
 * Encodes frames into a video file with FFmpeg, the container and codec chosen by the file's extension: mp4 (H.264),
 * avi (MPEG-4 part 2), webm (VP9) and mkv (FFV1, lossless: frames read back bit for bit). The lossy codecs store
 * colour at half resolution, so small or sharp details come back blurred by a few levels. The file is written
 * under a temporary name and renamed when complete, so a failed write leaves any earlier file of that name intact.
 * Needs JavaCV and FFmpeg ({@link VideoSupport}).
 */
public final class VideoWriter {

    /** A container and codec; the constants are compiled in, so naming them loads nothing of FFmpeg's. */
    record Encoding(String format, int codec, int pixelFormat) {
    }

    private static final Map<String, Encoding> ENCODINGS = Map.of(
            "mp4", new Encoding("mp4", avcodec.AV_CODEC_ID_H264, avutil.AV_PIX_FMT_YUV420P),
            "avi", new Encoding("avi", avcodec.AV_CODEC_ID_MPEG4, avutil.AV_PIX_FMT_YUV420P),
            "webm", new Encoding("webm", avcodec.AV_CODEC_ID_VP9, avutil.AV_PIX_FMT_YUV420P),
            "mkv", new Encoding("matroska", avcodec.AV_CODEC_ID_FFV1, avutil.AV_PIX_FMT_BGR0));

    private VideoWriter() {
    }

    /** Writes {@code frames}, all of one size, to {@code target} at {@code framesPerSecond}. */
    public static void write(Path target, List<RgbFrame> frames, double framesPerSecond) throws IOException {
        write(target, frames.size(), frames::get, framesPerSecond);
    }

    /**
     * Writes {@code frameCount} frames, all of one size, to {@code target} at {@code framesPerSecond}, asking
     * {@code frameAt} for each in turn: only one frame is held, however long the video.
     */
    public static void write(Path target, int frameCount, IntFunction<RgbFrame> frameAt, double framesPerSecond)
            throws IOException {
        VideoSupport.require();
        Encoding encoding = ENCODINGS.get(VideoReader.extension(target));
        if (encoding == null) {
            throw new IllegalArgumentException("cannot choose a codec for " + target + ": expected a name ending in "
                    + String.join(", ", ENCODINGS.keySet().stream().sorted().map(e -> "." + e).toList()));
        }
        if (frameCount < 1) {
            throw new IllegalArgumentException("a video needs at least one frame: " + target);
        }
        if (!(framesPerSecond > 0)) {
            throw new IllegalArgumentException("the frame rate must be positive, got " + framesPerSecond);
        }
        RgbFrame first = frameAt.apply(0);
        AtomicFiles.writeFile(target, temporary -> FfmpegEncoder.encode(temporary, target, encoding, frameCount,
                frameAt, first.width(), first.height(), framesPerSecond));
    }
}
