package io.godwit.transfer;

import com.google.protobuf.InvalidProtocolBufferException;
import io.godwit.proto.peer.Failure;
import io.godwit.proto.peer.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.netty.util.ReferenceCounted;

import java.util.List;

/**
 * Framing of peer.proto: uint32 length | uint8 kind | payload. Kind 0 carries a {@link Frame};
 * kind 1 carries raw file content, handed on as a {@link Data} without copying.
 */
final class Wire {
    static final int KIND_FRAME = 0;
    static final int KIND_DATA = 1;
    static final int HEADER = 5;
    static final int MAX_DATA = 1 << 20;
    static final int MAX_FRAME = 16 << 20;
    static final String DECODER = "wire-length";
    static final String PARSER = "wire-parse";

    /** Raw content bytes for the current regular file; whoever consumes it releases it. */
    record Data(ByteBuf content) implements ReferenceCounted {
        @Override public int refCnt() { return content.refCnt(); }
        @Override public Data retain() { content.retain(); return this; }
        @Override public Data retain(int n) { content.retain(n); return this; }
        @Override public Data touch() { content.touch(); return this; }
        @Override public Data touch(Object hint) { content.touch(hint); return this; }
        @Override public boolean release() { return content.release(); }
        @Override public boolean release(int n) { return content.release(n); }
    }

    private Wire() {}

    static void install(ChannelPipeline p) {
        p.addLast(DECODER, new LengthFieldBasedFrameDecoder(MAX_FRAME, 0, 4, 0, 4));
        p.addLast(PARSER, new Parser());
    }

    /** Removes framing, e.g. when a connection becomes a raw tunnel; buffered bytes flow on downstream. */
    static void uninstall(ChannelPipeline p) {
        if (p.get(PARSER) != null) p.remove(PARSER);
        if (p.get(DECODER) != null) p.remove(DECODER);
    }

    static ByteBuf encode(ByteBufAllocator alloc, Frame f) {
        byte[] b = f.toByteArray();
        ByteBuf buf = alloc.buffer(HEADER + b.length);
        buf.writeInt(1 + b.length).writeByte(KIND_FRAME).writeBytes(b);
        return buf;
    }

    static Frame failure(String message) {
        return Frame.newBuilder().setFailure(Failure.newBuilder().setMessage(message == null ? "unknown error" : message)).build();
    }

    /** A data frame header for n content bytes that the caller writes right after it into the same buffer. */
    static void writeDataHeader(ByteBuf buf, int n) {
        buf.writeInt(1 + n).writeByte(KIND_DATA);
    }

    private static final class Parser extends MessageToMessageDecoder<ByteBuf> {
        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
            if (!in.isReadable()) throw new CorruptedFrameException("empty frame from peer");
            int kind = in.readUnsignedByte();
            if (kind == KIND_DATA) {
                out.add(new Data(in.retainedSlice()));
            } else if (kind == KIND_FRAME) {
                try {
                    out.add(Frame.parseFrom(in.nioBuffer()));
                } catch (InvalidProtocolBufferException e) {
                    throw new CorruptedFrameException("peer sent a malformed frame", e);
                }
            } else {
                throw new CorruptedFrameException("peer sent a frame of unknown kind " + kind);
            }
        }
    }
}
