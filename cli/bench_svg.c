// SPDX-License-Identifier: MIT
/*
 * SVG charts, written as text: no plotting library, and the files open in
 * any browser. Both axes that carry rates or times are logarithmic: on
 * this machine the emu path and the baseline differ by 30x or more, and a
 * linear axis would flatten the slow paths to nothing.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli/bench.h"

static const char *const colors[BENCH_PATHS + 1] = {
	"#d62728", "#1f77b4", "#2ca02c", "#7f7f7f",
};

/* Decades spanning [lo, hi]. */
static void log_range(double lo, double hi, double *dlo, double *dhi)
{
	if (lo <= 0)
		lo = 1;
	if (hi < lo * 10)
		hi = lo * 10;
	*dlo = floor(log10(lo));
	*dhi = ceil(log10(hi));
	if (*dhi <= *dlo)
		*dhi = *dlo + 1;
}

static void svg_head(FILE *f, int w, int h, const char *title)
{
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		"height=\"%d\" viewBox=\"0 0 %d %d\" "
		"font-family=\"sans-serif\" font-size=\"12\">\n"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
		"<text x=\"%d\" y=\"22\" text-anchor=\"middle\" "
		"font-size=\"15\">%s</text>\n",
		w, h, w, h, w / 2, title);
}

static const char *si(double v, char *buf, size_t len)
{
	if (v >= 1e6)
		snprintf(buf, len, "%gM", v / 1e6);
	else if (v >= 1e3)
		snprintf(buf, len, "%gk", v / 1e3);
	else
		snprintf(buf, len, "%g", v);
	return buf;
}

/* The bar chart's frame: the plot area inside its margins, the y range. */
struct bars_plot {
	int w, h, l, r, t, b;	/* size; left, right, top, bottom margin */
	bool linear;
	double dlo, dhi;	/* decades, or 0 and the top value */
};

static double bars_y(const struct bars_plot *pl, double v)
{
	return pl->t + (pl->h - pl->t - pl->b) *
	       (1 - (pl->linear ? v / pl->dhi :
		     (log10(v) - pl->dlo) / (pl->dhi - pl->dlo)));
}

/* The y range that the bars and their whiskers need. */
static void bars_range(const struct svg_bars *b, struct bars_plot *pl)
{
	double lo = 1e18, hi = 0;

	for (unsigned int s = 0; s < b->nsizes; s++)
		for (int c = 0; c < b->ncols; c++)
			if (b->med[s][c] > 0) {
				lo = fmin(lo, b->min[s][c] > 0 ? b->min[s][c] :
					  b->med[s][c]);
				hi = fmax(hi, fmax(b->max[s][c], b->med[s][c]));
			}
	pl->linear = b->linear;
	if (b->linear) {
		/* 0 .. the next 1, 2 or 5 x 10^k above the highest value */
		double step = pow(10, floor(log10(hi > 0 ? hi : 1)));

		pl->dlo = 0;
		pl->dhi = hi <= step ? step : hi <= 2 * step ? 2 * step :
			  hi <= 5 * step ? 5 * step : 10 * step;
	} else {
		log_range(lo, hi, &pl->dlo, &pl->dhi);
	}
}

/* Grid lines at decades (or five steps), the y label, the x axis. */
static void bars_axes(FILE *f, const struct svg_bars *b,
		      const struct bars_plot *pl)
{
	const int W = pl->w, H = pl->h, L = pl->l, R = pl->r;
	const int T = pl->t, B = pl->b;
	double dlo = pl->dlo, dhi = pl->dhi;
	char b1[32];

	for (int i = 0; i <= (b->linear ? 5 : (int)(dhi - dlo)); i++) {
		double frac = b->linear ? i / 5.0 : i / (dhi - dlo);
		double y = T + (H - T - B) * (1 - frac);
		double v = b->linear ? dhi * frac : pow(10, dlo + i);

		fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
			"stroke=\"#ddd\"/>\n"
			"<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">"
			"%s</text>\n",
			L, y, W - R, y, L - 6, y + 4, si(v, b1, sizeof(b1)));
	}
	fprintf(f, "<text x=\"18\" y=\"%d\" transform=\"rotate(-90 18 %d)\" "
		"text-anchor=\"middle\">%s</text>\n",
		(H - B + T) / 2, (H - B + T) / 2, b->ylabel);
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
		"stroke=\"black\"/>\n", L, H - B, W - R, H - B);
}

/* Frame size @s: its label, a bar per column with a min..max whisker. */
static void bars_group(FILE *f, const struct svg_bars *b, unsigned int s,
		       const struct bars_plot *pl)
{
	const int W = pl->w, H = pl->h, L = pl->l, R = pl->r, B = pl->b;
	double gw = (double)(W - L - R) / b->nsizes;
	double x0 = L + gw * s, bw = b->ncols ? gw * 0.8 / b->ncols : 0;

	fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">"
		"%u B</text>\n", x0 + gw / 2, H - B + 18, b->sizes[s]);
	for (int c = 0; c < b->ncols; c++) {
		double med = b->med[s][c], mn = b->min[s][c];
		double mx = b->max[s][c];
		double x = x0 + gw * 0.1 + bw * c, y, ymin, ymax;

		if (med <= 0)
			continue;
		y = bars_y(pl, med);
		ymin = bars_y(pl, mn > 0 ? mn : med);
		ymax = bars_y(pl, mx > 0 ? mx : med);
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			"height=\"%.1f\" fill=\"%s\"><title>%s %u B: "
			"%.0f (%.0f..%.0f)</title></rect>\n",
			x, y, bw * 0.9, H - B - y, b->color[c],
			b->name[c], b->sizes[s], med, mn, mx);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
			"y2=\"%.1f\" stroke=\"black\"/>\n",
			x + bw * 0.45, ymin, x + bw * 0.45, ymax);
	}
}

int bench_svg_bars(const struct svg_bars *b, const char *path)
{
	struct bars_plot pl = {
		.w = 860, .h = 460, .l = 80, .r = 150, .t = 40, .b = 60,
	};
	const int W = pl.w, H = pl.h, R = pl.r, T = pl.t;
	FILE *f;

	bars_range(b, &pl);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	svg_head(f, W, H, b->title);
	bars_axes(f, b, &pl);
	for (unsigned int s = 0; s < b->nsizes; s++)
		bars_group(f, b, s, &pl);
	for (int c = 0; c < b->ncols; c++)
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" "
			"fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>\n",
			W - R + 16, T + 10 + 22 * c, b->color[c], W - R + 36,
			T + 22 + 22 * c, b->name[c]);
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" "
		"fill=\"#555\">%s</text>\n</svg>\n", W / 2, H - 12, b->footer);
	return fclose(f) ? -errno : 0;
}

/* The bar of column @p at size index @s: a path's NDR, the baseline's
 * full-speed rate. */
static const struct bench_stat *svg_rate(const struct bench_results *r,
					 unsigned int s, int p)
{
	return p == BENCH_PATHS ? &r->agg[s][p].sat : &r->agg[s][p].ndr;
}

int bench_svg_throughput(const struct bench_results *r, const char *path)
{
	const struct bench_opts *o = r->o;
	static struct svg_bars b;
	char footer[256];

	memset(&b, 0, sizeof(b));
	snprintf(footer, sizeof(footer), "%s; NDR: no loss, within %g%%; "
		 "%u repeat(s)", r->machine, o->precision_pct, o->repeats);
	b.title = "NDR per frame size, baseline at full speed "
		  "(median; whiskers: min..max)";
	b.ylabel = "frames/s (log)";
	b.footer = footer;
	b.sizes = o->sizes;
	b.nsizes = o->nsizes;
	for (int p = 0; p <= BENCH_PATHS; p++) {
		bool any = false;

		for (unsigned int s = 0; s < o->nsizes; s++)
			any |= r->agg[s][p].have && svg_rate(r, s, p)->med > 0;
		if (!any)
			continue;
		for (unsigned int s = 0; s < o->nsizes; s++) {
			const struct bench_stat *st = svg_rate(r, s, p);

			if (!r->agg[s][p].have)
				continue;
			b.med[s][b.ncols] = st->med;
			b.min[s][b.ncols] = st->min;
			b.max[s][b.ncols] = st->max;
		}
		b.name[b.ncols] = bench_col_name(p);
		b.color[b.ncols++] = colors[p];
	}
	return bench_svg_bars(&b, path);
}

/* Whisker min..max, box p50..p99, p50 and p90 ticks: @v at x @xs. */
static void latency_box(FILE *f, const double xs[5], const double v[5],
			double y, const char *color, const char *name,
			unsigned int size)
{
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
		"stroke=\"%s\"/>\n", xs[0], y + 8, xs[4], y + 8, color);
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		"height=\"16\" fill=\"%s\" fill-opacity=\"0.5\" "
		"stroke=\"%s\"><title>%s %u B: min %.1f p50 %.1f p90 %.1f "
		"p99 %.1f max %.1f us</title></rect>\n",
		xs[1], y, xs[3] - xs[1] > 1 ? xs[3] - xs[1] : 1, color,
		color, name, size, v[0], v[1], v[2], v[3], v[4]);
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
		"stroke=\"black\" stroke-width=\"2\"/>\n",
		xs[1], y, xs[1], y + 16);
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
		"stroke=\"black\" stroke-dasharray=\"2,2\"/>\n",
		xs[2], y, xs[2], y + 16);
}

int bench_svg_latency(const struct bench_results *r, const char *path)
{
	const struct bench_opts *o = r->o;
	const int W = 860, L = 130, R = 40, T = 40, RowH = 26;
	double lo = 1e18, hi = 0, dlo, dhi;
	int rows = 0, H;
	char b1[32];
	FILE *f;

	for (unsigned int s = 0; s < o->nsizes; s++)
		for (int p = 0; p < BENCH_PATHS; p++)
			if (r->agg[s][p].lat_have) {
				rows++;
				lo = fmin(lo, r->agg[s][p].lat_min > 0 ?
					  r->agg[s][p].lat_min : 1);
				hi = fmax(hi, r->agg[s][p].lat_max);
			}
	H = T + 60 + (rows ? rows : 1) * RowH;
	log_range(lo, hi, &dlo, &dhi);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	svg_head(f, W, H, "Round-trip latency at a fraction of NDR: "
		 "min, p50, p90, p99, max");
	for (double d = dlo; d <= dhi; d++) {
		double x = L + (W - L - R) * (d - dlo) / (dhi - dlo);

		fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" "
			"y2=\"%d\" stroke=\"#ddd\"/>\n"
			"<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">"
			"%s us</text>\n", x, T, x, H - 40, x, H - 24,
			si(pow(10, d), b1, sizeof(b1)));
	}
	if (!rows)
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">"
			"no latency measured</text>\n", W / 2, T + 20);
	rows = 0;
	for (unsigned int s = 0; s < o->nsizes; s++)
		for (int p = 0; p < BENCH_PATHS; p++) {
			const struct bench_agg *a = &r->agg[s][p];
			double y = T + 10 + RowH * rows, xs[5];
			double v[5] = { a->lat_min, a->lat_p50, a->lat_p90,
					a->lat_p99, a->lat_max };

			if (!a->lat_have)
				continue;
			rows++;
			for (int i = 0; i < 5; i++)
				xs[i] = L + (W - L - R) *
					(log10(v[i] > 0 ? v[i] : 1) - dlo) /
					(dhi - dlo);
			fprintf(f, "<text x=\"%d\" y=\"%.1f\" "
				"text-anchor=\"end\">%s %u B</text>\n",
				L - 8, y + 12, bench_col_name(p), o->sizes[s]);
			latency_box(f, xs, v, y, colors[p], bench_col_name(p),
				    o->sizes[s]);
		}
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" "
		"fill=\"#555\">box p50..p99, dashed p90, whisker min..max "
		"(median of repeats); %s</text>\n</svg>\n",
		W / 2, H - 6, r->machine);
	return fclose(f) ? -errno : 0;
}
