/*
 * A PKCS#11 module that cannot initialise, as tpm2-pkcs11 without a TPM
 * resource manager: C_Initialize floods stderr and fails. Registered with
 * p11-kit by tests/t/02-signer-token.t to show that such a module, when the
 * URI does not name it, costs the user nothing but a -v line.
 */
#include <stdio.h>

#include <p11-kit/pkcs11.h>

static CK_RV
f_initialize(CK_VOID_PTR args)
{
	(void)args;
	for (int i = 1; i <= 15; i++)
		fprintf(stderr, "p11fail: ERROR: cannot reach the resource manager (%d)\n", i);
	return CKR_DEVICE_ERROR;
}

static CK_FUNCTION_LIST list = {
	.version = {2, 40},
	.C_Initialize = f_initialize,
};

CK_RV
C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR out)
{
	*out = &list;
	return CKR_OK;
}
