package org.shufflenet3d.video;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.function.IntFunction;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameRecorder;

/** {@link VideoWriter}'s use of FFmpeg, in a class of its own so that the writer loads without JavaCV. */
final class FfmpegEncoder {

    private FfmpegEncoder() {
    }

    static void encode(Path file, Path target, VideoWriter.Encoding encoding, int frameCount,
            IntFunction<RgbFrame> frameAt, int width, int height, double framesPerSecond) throws IOException {
        FfmpegLogging.silence();
        try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(file.toFile(), width, height)) {
            recorder.setFormat(encoding.format());
            recorder.setVideoCodec(encoding.codec());
            recorder.setPixelFormat(encoding.pixelFormat());
            recorder.setFrameRate(framesPerSecond);
            recorder.setVideoQuality(1);
            recorder.start();
            Frame frame = new Frame(width, height, Frame.DEPTH_UBYTE, 3);
            ByteBuffer buffer = (ByteBuffer) frame.image[0];
            for (int t = 0; t < frameCount; t++) {
                RgbFrame rgb = frameAt.apply(t);
                if (rgb.width() != width || rgb.height() != height) {
                    throw new IllegalArgumentException("the frames of a video must share one size: " + width + "x"
                            + height + " and " + rgb.width() + "x" + rgb.height() + " given for " + target);
                }
                for (int y = 0; y < height; y++) {
                    buffer.put(y * frame.imageStride, rgb.pixels(), 3 * y * width, 3 * width);
                }
                recorder.record(frame, avutil.AV_PIX_FMT_RGB24);
            }
            recorder.stop();
        } catch (FrameRecorder.Exception e) {
            throw new IOException("cannot encode " + encoding.format() + " video for " + target + ": "
                    + e.getMessage(), e);
        }
    }
}
