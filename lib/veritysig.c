/*
 * systemd's verity signature partition: a JSON object {"rootHash": hex,
 * "signature": base64 of a detached PKCS#7 over the hex string}, as
 * systemd-repart writes it and systemd-dissect/systemd-veritysetup read it
 * (the partition pads it with NUL bytes).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "igos.h"
#include "verity.h"

int
igos_verity_sigjson_is(const unsigned char *buf, size_t len)
{
	size_t i = 0;

	while (i < len && isspace(buf[i]))
		i++;
	return i < len && buf[i] == '{';
}

int
igos_verity_sigjson_parse(const unsigned char *buf, size_t len, char *roothex, size_t cap,
			  unsigned char **sig, size_t *siglen)
{
	struct json_tokener *tok;
	struct json_object *j, *rh, *sg;
	const char *h, *s;
	size_t end = len, hl;
	int rc = -1;

	*sig = NULL;
	*siglen = 0;
	/* the partition's NUL padding, and blanks */
	while (end > 0 && (buf[end - 1] == '\0' || isspace(buf[end - 1])))
		end--;
	if (end == 0)
		return igos_seterr("signature JSON: empty");
	if (memchr(buf, '\0', end) != NULL)
		return igos_seterr("signature JSON: NUL byte inside");
	if ((tok = json_tokener_new()) == NULL)
		return igos_seterr("out of memory");
	j = json_tokener_parse_ex(tok, (const char *)buf, (int)(end > 1 << 20 ? 1 << 20 : end));
	if (j == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != end) {
		igos_seterr("signature JSON: not a JSON object");
		goto out;
	}
	if (!json_object_is_type(j, json_type_object)) {
		igos_seterr("signature JSON: not a JSON object");
		goto out;
	}
	if (!json_object_object_get_ex(j, "rootHash", &rh) ||
	    !json_object_is_type(rh, json_type_string)) {
		igos_seterr("signature JSON: no \"rootHash\" string");
		goto out;
	}
	if (!json_object_object_get_ex(j, "signature", &sg) ||
	    !json_object_is_type(sg, json_type_string)) {
		igos_seterr("signature JSON: no \"signature\" string");
		goto out;
	}
	h = json_object_get_string(rh);
	hl = (size_t)json_object_get_string_len(rh);
	if (hl == 0 || hl % 2 || hl >= cap || strlen(h) != hl) {
		igos_seterr("signature JSON: \"rootHash\" is not a digest in hex");
		goto out;
	}
	for (size_t i = 0; i < hl; i++)
		if (!isxdigit((unsigned char)h[i])) {
			igos_seterr("signature JSON: \"rootHash\" is not a digest in hex");
			goto out;
		}
	for (size_t i = 0; i <= hl; i++)
		roothex[i] = (char)tolower((unsigned char)h[i]);
	s = json_object_get_string(sg);
	if ((*sig = igos_base64_decode(s, (size_t)json_object_get_string_len(sg), siglen)) == NULL ||
	    *siglen == 0) {
		free(*sig);
		*sig = NULL;
		igos_seterr("signature JSON: \"signature\" is not base64");
		goto out;
	}
	rc = 0;
out:
	json_object_put(j);
	json_tokener_free(tok);
	return rc;
}

char *
igos_verity_sigjson_build(const char *roothex, const unsigned char *sig, size_t siglen)
{
	struct json_object *j = json_object_new_object();
	char *b64 = igos_base64_encode(sig, siglen), *out = NULL;

	if (j == NULL || b64 == NULL) {
		igos_seterr("out of memory");
		goto done;
	}
	/* the order systemd-repart writes: rootHash, then signature */
	json_object_object_add(j, "rootHash", json_object_new_string(roothex));
	json_object_object_add(j, "signature", json_object_new_string(b64));
	out = strdup(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN |
							 JSON_C_TO_STRING_NOSLASHESCAPE));
	if (out == NULL)
		igos_seterr("out of memory");
done:
	free(b64);
	json_object_put(j);
	return out;
}
