package unboxed.brain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class FormatTest {
    @Test
    void numbersAsTheReportPrintsThem() {
        assertEquals("1.5 × 10^14^", Format.sci(1.5e14));
        assertEquals("10^15^", Format.sci(1e15));
        assertEquals("3.0 × 10^−21^", Format.sci(2.9667e-21));
        assertEquals("10^6^", Format.sci(999_999.0));
        assertEquals("17,251", Format.sci(17251.2));
        assertEquals("0.462", Format.sci(0.462));
        assertEquals("0.2", Format.plain(0.2));
        assertEquals("10", Format.plain(10));
        assertEquals("5.7 to 9.9", Format.plain(5.7) + " to " + Format.plain(9.9));
        assertEquals("1.5 × 10^14^ to 10^15^", Format.range(1.5e14, 1e15));
        assertEquals("302", Format.range(302, 302));
        assertEquals("1.2e32", Format.e(1.2e32));
        assertEquals("1e12", Format.e(1e12));
        assertEquals("4.7e21", Format.e(4.73e21));
    }

    @Test
    void yearsSayWhatTheTrendCanSay() {
        assertEquals("2031", Format.year(2031.7, 2012));
        assertEquals("before 2012", Format.year(2005, 2012.7));
        assertEquals("after 2500", Format.year(2614, 2012));
        assertEquals("never on this trend", Format.year(Double.POSITIVE_INFINITY, 2012));
        assertEquals("in 2031", Format.yearPhrase(2031.2, 2012));
        assertEquals("before 2012", Format.yearPhrase(1990, 2012));
    }
}
