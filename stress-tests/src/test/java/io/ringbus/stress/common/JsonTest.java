package io.ringbus.stress.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The one JSON writer of bus-examples: commas, nesting, escapes, numbers. */
class JsonTest {
    @Test
    void objectsAndArraysNestWithCommasBetweenValues() {
        String json = new Json().open('{')
            .field("name").string("t")
            .field("sizes").open('[').number(1).number(2).open('{').close('}').close(']')
            .field("empty").open('[').close(']')
            .field("ok").bool(true)
            .field("missing").string(null)
            .close('}').toString();
        assertEquals("{\"name\":\"t\",\"sizes\":[1,2,{}],\"empty\":[],\"ok\":true,\"missing\":null}", json);
    }

    @Test
    void stringsEscapeQuotesBackslashesAndEveryControlCharacter() {
        String json = new Json().string("a\"b\\c\nd\re\tf\u0000g\u0001h\u001fi\u007fj é").toString();
        assertEquals("\"a\\\"b\\\\c\\nd\\re\\tf\\u0000g\\u0001h\\u001fi\u007fj é\"", json);
    }

    @Test
    void namesAreEscapedToo() {
        assertEquals("{\"a\\tb\":1}", new Json().open('{').field("a\tb").number(1).close('}').toString());
    }

    @Test
    void numbersThatAreNotFiniteAreNull() {
        String json = new Json().open('[').number(0.15).number(Double.NaN).decimal(61.2, 4)
            .decimal(Double.POSITIVE_INFINITY, 1).decimal(2.25, 1).number(-7L).close(']').toString();
        assertEquals("[0.15,null,61.2000,null,2.3,-7]", json);
    }
}
