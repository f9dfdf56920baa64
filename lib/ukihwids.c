/* The .hwids section of a UKI from systemd's device description files (JSON):
 * which devicetree or firmware the stub picks on which hardware (CHIDs). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "igos.h"
#include "sbvar.h"
#include "uki.h"

#define ENTRY_SIZE 28u          /* u32 descriptor, GUID, u32 name, u32 compatible */
#define TYPE_DEVICETREE 1u
#define TYPE_UEFI_FW 2u

struct device {
	unsigned type;
	const char *name, *str;   /* borrowed from the parsed JSON */
	char (*chids)[37];        /* canonical lower-case text, sorted, unique */
	size_t nchids;
};

struct hw {
	struct device *dev;
	size_t ndev;
	const char **strs;        /* sorted, unique */
	size_t nstrs;
};

static int
cmp_chid(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int
cmp_pstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
add_str(struct hw *h, const char *s)
{
	const char **l;

	for (size_t i = 0; i < h->nstrs; i++)
		if (strcmp(h->strs[i], s) == 0)
			return 0;
	if ((l = realloc(h->strs, (h->nstrs + 1) * sizeof(*l))) == NULL)
		return igos_seterr("out of memory");
	l[h->nstrs++] = s;
	h->strs = l;
	return 0;
}

/* A string member of o, or NULL (with a message when present but not a
 * string). */
static const char *
member_str(json_object *o, const char *key, const char *what, int *bad)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	if (!json_object_is_type(v, json_type_string)) {
		*bad = igos_seterr("'%s': \"%s\" is not a string", what, key);
		return NULL;
	}
	return json_object_get_string(v);
}

/* The device of one file, merged into h (the same type, name and
 * compatible/fwid in two files is one device with both files' CHIDs). */
static int
add_file(struct hw *h, json_object *o, const char *what)
{
	static const char *const keys[] = { "compatible", "fwid" };
	json_object *ids;
	const char *type, *name, *str = NULL;
	unsigned t;
	int bad = 0;
	struct device *d = NULL;

	if (!json_object_is_type(o, json_type_object))
		return igos_seterr("'%s': not a JSON object", what);
	type = member_str(o, "type", what, &bad);
	name = member_str(o, "name", what, &bad);
	if (bad)
		return -1;
	if (type == NULL || name == NULL || !json_object_object_get_ex(o, "hwids", &ids))
		return igos_seterr("'%s': needs \"type\", \"name\" and \"hwids\"", what);
	if (strcmp(type, "devicetree") == 0)
		t = TYPE_DEVICETREE;
	else if (strcmp(type, "uefi-fw") == 0)
		t = TYPE_UEFI_FW;
	else
		return igos_seterr("'%s': unknown \"type\" (devicetree or uefi-fw)", what);
	for (unsigned k = 0; k < 2; k++) {
		const char *v = member_str(o, keys[k], what, &bad);

		if (bad)
			return -1;
		if (v == NULL)
			continue;
		if (k + 1 != t)
			return igos_seterr("'%s': \"%s\" does not go with type %s", what, keys[k],
					   type);
		str = v;
	}
	if (str == NULL)
		return igos_seterr("'%s': needs \"%s\" for type %s", what, keys[t - 1], type);
	if (!json_object_is_type(ids, json_type_array))
		return igos_seterr("'%s': \"hwids\" is not an array", what);
	for (size_t i = 0; i < h->ndev; i++)
		if (h->dev[i].type == t && strcmp(h->dev[i].name, name) == 0 &&
		    strcmp(h->dev[i].str, str) == 0)
			d = &h->dev[i];
	if (d == NULL) {
		struct device *l = realloc(h->dev, (h->ndev + 1) * sizeof(*l));

		if (l == NULL)
			return igos_seterr("out of memory");
		h->dev = l;
		d = &h->dev[h->ndev++];
		memset(d, 0, sizeof(*d));
		d->type = t;
		d->name = name;
		d->str = str;
		if (add_str(h, name) < 0 || add_str(h, str) < 0)
			return -1;
	}
	for (size_t i = 0; i < json_object_array_length(ids); i++) {
		json_object *e = json_object_array_get_idx(ids, i);
		unsigned char g[16];
		char canon[37], (*l)[37];
		const char *s;
		int dup = 0;

		if (!json_object_is_type(e, json_type_string))
			return igos_seterr("'%s': \"hwids\" entry %zu is not a string", what, i);
		s = json_object_get_string(e);
		if (igos_guid_parse(s, g) < 0)
			return igos_seterr("'%s': \"hwids\" entry %zu is not a GUID", what, i);
		for (int k = 0; k < 36; k++)
			canon[k] = (char)(s[k] >= 'A' && s[k] <= 'F' ? s[k] - 'A' + 'a' : s[k]);
		canon[36] = '\0';
		for (size_t k = 0; k < d->nchids; k++)
			dup |= strcmp(d->chids[k], canon) == 0;
		if (dup)
			continue;
		if ((l = realloc(d->chids, (d->nchids + 1) * sizeof(*l))) == NULL)
			return igos_seterr("out of memory");
		d->chids = l;
		memcpy(l[d->nchids++], canon, sizeof(canon));
	}
	return 0;
}

static int
layout(struct hw *h, unsigned char **out, size_t *len)
{
	uint64_t nent = 1, strbase, total;
	unsigned char *b, *p;

	for (size_t i = 0; i < h->ndev; i++) {
		qsort(h->dev[i].chids, h->dev[i].nchids, sizeof(*h->dev[i].chids), cmp_chid);
		nent += h->dev[i].nchids;
	}
	qsort(h->strs, h->nstrs, sizeof(*h->strs), cmp_pstr);
	strbase = nent * ENTRY_SIZE;
	total = strbase;
	for (size_t i = 0; i < h->nstrs; i++)
		total += strlen(h->strs[i]) + 1;
	if (total > UINT32_MAX)
		return igos_seterr("the .hwids section would be larger than 4 GiB");
	if ((b = calloc(1, (size_t)total)) == NULL)
		return igos_seterr("out of memory");
	p = b;
	for (size_t i = 0; i < h->ndev; i++) {
		const struct device *d = &h->dev[i];
		uint32_t off_name = 0, off_str = 0, at = (uint32_t)strbase;

		for (size_t k = 0; k < h->nstrs; k++) {
			if (strcmp(h->strs[k], d->name) == 0)
				off_name = at;
			if (strcmp(h->strs[k], d->str) == 0)
				off_str = at;
			at += (uint32_t)strlen(h->strs[k]) + 1;
		}
		for (size_t k = 0; k < d->nchids; k++) {
			igos_put_le32(p, ENTRY_SIZE | d->type << 28);
			igos_guid_parse(d->chids[k], p + 4);
			igos_put_le32(p + 20, off_name);
			igos_put_le32(p + 24, off_str);
			p += ENTRY_SIZE;
		}
	}
	p += ENTRY_SIZE; /* the zero entry that ends the table */
	for (size_t i = 0; i < h->nstrs; i++) {
		size_t n = strlen(h->strs[i]) + 1;

		memcpy(p, h->strs[i], n);
		p += n;
	}
	*out = b;
	*len = (size_t)total;
	return 0;
}

int
igos_uki_hwids(const char *const *texts, const size_t *lens, const char *const *what,
	       size_t n, unsigned char **out, size_t *len)
{
	json_object **roots = calloc(n ? n : 1, sizeof(*roots));
	struct hw h = { 0 };
	int rc = -1;

	if (roots == NULL)
		return igos_seterr("out of memory");
	for (size_t i = 0; i < n; i++) {
		struct json_tokener *tok;
		size_t end;

		if (memchr(texts[i], '\0', lens[i]) != NULL || lens[i] > INT32_MAX - 1) {
			igos_seterr("'%s': not JSON text", what[i]);
			goto out;
		}
		if ((tok = json_tokener_new_ex(16)) == NULL) {
			igos_seterr("cannot allocate a JSON parser");
			goto out;
		}
		json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
		/* the NUL after the text ends a number at the top level */
		roots[i] = json_tokener_parse_ex(tok, texts[i], (int)lens[i] + 1);
		end = json_tokener_get_parse_end(tok);
		if (roots[i] == NULL) {
			enum json_tokener_error je = json_tokener_get_error(tok);

			igos_seterr("'%s': not JSON: %s", what[i],
				    je == json_tokener_success ? "null" :
				    json_tokener_error_desc(je));
			json_tokener_free(tok);
			goto out;
		}
		json_tokener_free(tok);
		for (; end < lens[i]; end++)
			if (!strchr(" \t\r\n", texts[i][end])) {
				igos_seterr("'%s': not JSON: trailing data at offset %zu", what[i],
					    end);
				goto out;
			}
		if (add_file(&h, roots[i], what[i]) < 0)
			goto out;
	}
	rc = layout(&h, out, len);
out:
	for (size_t i = 0; i < h.ndev; i++)
		free(h.dev[i].chids);
	free(h.dev);
	free(h.strs);
	for (size_t i = 0; i < n; i++)
		json_object_put(roots[i]);
	free(roots);
	return rc;
}
