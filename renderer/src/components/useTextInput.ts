import { type ChangeEvent, useState } from 'react';

/**
 * A text field's state, with the props that bind a TextInput, PasswordInput or Textarea to it
 * (`<TextInput label="Username" {...username.props} />`), so no form repeats the change handler.
 */
export function useTextInput(initial = '') {
  const [value, setValue] = useState(initial);
  const onChange = (event: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) =>
    setValue(event.currentTarget.value);
  return { value, setValue, props: { value, onChange } };
}
