import type { LoginInput, LoginResponse } from '@guichet/contracts';
import { useMutation } from '@tanstack/react-query';
import { authApi } from '../api/auth';
import type { ApiError } from '../api/client';
import { useSession } from '../session/session-context';

export function useLogin() {
  const { signIn } = useSession();
  return useMutation<LoginResponse, ApiError, LoginInput>({
    mutationFn: (input) => authApi.login(input),
    onSuccess: (response) => signIn(response),
  });
}
