import type { LoginInput, LoginResponse } from '@guichet/contracts';
import { useMutation } from '@tanstack/react-query';
import { authApi } from '../api/auth';
import type { ApiError } from '../api/client';
import { useSession } from '../session/session-context';
import { readCsrfCookie } from '../session/session-store';

export function useLogin() {
  const { signIn } = useSession();
  return useMutation<LoginResponse, ApiError, LoginInput>({
    mutationFn: (input) => authApi.login(input),
    // The token in the answer is for API integrators: the browser keeps the session in its HttpOnly cookie.
    onSuccess: (response) => signIn({ agent: response.agent, csrf: readCsrfCookie() ?? '' }),
  });
}
