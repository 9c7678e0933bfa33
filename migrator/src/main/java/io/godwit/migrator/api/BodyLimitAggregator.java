package io.godwit.migrator.api;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Netty's aggregator, except that a request over the limit is not answered here with an empty 413:
 * it goes on as a {@link TooLarge} event to {@link HttpApiHandler}, through the middleware, so that
 * it gets a request id, an access log line and the API's JSON error. Its body is discarded unread.
 */
final class BodyLimitAggregator extends HttpObjectAggregator {

    /** The head of a request whose body is over the limit; declaredBytes is 0 when chunked. */
    record TooLarge(HttpRequest head, long declaredBytes) {
    }

    BodyLimitAggregator(int maxBytes) {
        super(maxBytes);
    }

    /**
     * A client that asks "Expect: 100-continue" for a body over the limit (curl does for any body over
     * 1 MiB) gets no bare 413 from Netty: null sends nothing, and the announced length then takes
     * the path of any oversized request, to the JSON 413.
     */
    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        if (HttpUtil.is100ContinueExpected(start) && HttpUtil.getContentLength(start, -1L) > maxContentLength) {
            start.headers().remove(HttpHeaderNames.EXPECT);
            return null;
        }
        return super.newContinueResponse(start, maxContentLength, pipeline);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) throws Exception {
        if (oversized instanceof HttpRequest request) {
            ctx.fireUserEventTriggered(new TooLarge(request, HttpUtil.getContentLength(request, 0L)));
        } else {
            super.handleOversizedMessage(ctx, oversized);
        }
    }
}
