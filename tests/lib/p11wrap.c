/*
 * A PKCS#11 module for tests that wraps a real one: it records every C_Login
 * in $P11WRAP_LOG and can add token flags from $P11WRAP_FLAGS (a number, e.g.
 * CKF_USER_PIN_LOCKED) so lockout handling is testable with SoftHSM, which
 * never locks. The real module is $P11WRAP_MODULE.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include <p11-kit/pkcs11.h>

static CK_FUNCTION_LIST wrapped;
static CK_FUNCTION_LIST_PTR real;

static CK_RV
w_login(CK_SESSION_HANDLE h, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
	const char *log = getenv("P11WRAP_LOG");
	FILE *f;

	if (log != NULL && (f = fopen(log, "a")) != NULL) {
		fprintf(f, "C_Login user=%lu\n", (unsigned long)user);
		fclose(f);
	}
	return real->C_Login(h, user, pin, len);
}

static CK_RV
w_token_info(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info)
{
	const char *flags = getenv("P11WRAP_FLAGS");
	CK_RV rv = real->C_GetTokenInfo(slot, info);

	if (rv == CKR_OK && flags != NULL)
		info->flags |= strtoul(flags, NULL, 0);
	return rv;
}

CK_RV
C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list)
{
	const char *path = getenv("P11WRAP_MODULE");
	CK_C_GetFunctionList get;
	void *h;

	if (path == NULL || (h = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL ||
	    (get = (CK_C_GetFunctionList)dlsym(h, "C_GetFunctionList")) == NULL ||
	    get(&real) != CKR_OK)
		return CKR_GENERAL_ERROR;
	wrapped = *real;
	wrapped.C_Login = w_login;
	wrapped.C_GetTokenInfo = w_token_info;
	*list = &wrapped;
	return CKR_OK;
}
